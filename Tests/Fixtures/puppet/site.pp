file { '/tmp/h4fix/out.txt': ensure => file, content => "hello\n" }
file { '/tmp/h4fix/dir': ensure => directory }
notify { 'chorus fixture': }
package { 'bash': ensure => installed }
