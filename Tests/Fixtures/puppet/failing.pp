file { '/tmp/h4fix/ok.txt': ensure => file, content => "ok\n" }
file { '/nonexistent-chorus/x': ensure => file }
