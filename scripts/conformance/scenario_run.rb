# The step interpreter of the conformance scenarios for driver.rb: the same steps and the same
# results as scenario_run.py, for a client adapter around the stomp gem. A connection answers
# connect, send, subscribe, unsubscribe, acknowledge, transaction, raw, disconnect, drop, probe,
# await_close and lists the MESSAGE frames received; this file runs a scenario's steps on them.
require 'json'
require 'optparse'
require 'securerandom'

module Conformance
  HERE = File.expand_path(File.dirname(__FILE__))
  DEFAULT_VERSION = '1.2'
  RECEIVE_TIMEOUT_MS = 5000
  GENERATED_QUEUE = /amq\.gen-[A-Za-z0-9_-]+/
  NOW_OFFSET = /\{now([+-]\d+)\}/
  SHORT_NAMES = { 'python' => 'py', 'ruby' => 'rb' }.freeze

  Options = Struct.new(:host, :port, :login, :passcode, :vhost, :broker_kind, :scenario, :scenarios, :run_id)

  def self.parse_arguments(argv, client)
    options = Options.new('127.0.0.1', nil, 'mcollective', 'marionette', '/mcollective', nil, 'all',
                          File.join(HERE, 'scenarios.json'), 'r' + SecureRandom.hex(4))
    OptionParser.new do |parser|
      parser.banner = "STOMP conformance scenarios through the #{client} client"
      parser.on('--host HOST') { |v| options.host = v }
      parser.on('--port PORT', Integer) { |v| options.port = v }
      parser.on('--login LOGIN') { |v| options.login = v }
      parser.on('--passcode PASSCODE') { |v| options.passcode = v }
      parser.on('--vhost VHOST', 'the host header (RabbitMQ\'s virtual host)') { |v| options.vhost = v }
      parser.on('--broker-kind KIND', %w[chorus rabbitmq activemq]) { |v| options.broker_kind = v }
      parser.on('--scenario NAMES', 'a name, a comma list, or all') { |v| options.scenario = v }
      parser.on('--scenarios FILE') { |v| options.scenarios = v }
      parser.on('--run-id ID', 'makes this run\'s destination names unique') { |v| options.run_id = v }
    end.parse!(argv)
    abort('--port and --broker-kind are required') if options.port.nil? || options.broker_kind.nil?
    options
  end

  # The scenarios of scenarios.json that were asked for and apply to a broker.
  def self.selected(path, names, broker)
    all = JSON.parse(File.read(path))['scenarios']
    chosen = all
    unless names == 'all'
      wanted = names.split(',')
      unknown = wanted - all.map { |s| s['name'] }
      abort("unknown scenario(s): #{unknown.join(', ')}") unless unknown.empty?
      chosen = all.select { |s| wanted.include?(s['name']) }
    end
    chosen.select { |s| (s['brokers'] || [broker]).include?(broker) }
  end

  # Sorts hash keys recursively so that lines compare as text too.
  def self.sorted(value)
    case value
    when Hash then value.keys.sort.to_h { |k| [k, sorted(value[k])] }
    when Array then value.map { |v| sorted(v) }
    else value
    end
  end

  # Runs one scenario's steps through one client against one broker.
  class ScenarioRun
    def initialize(scenario, client, options)
      @scenario = scenario
      @client = client
      @options = options
      @base = "conf.#{options.run_id}.#{SHORT_NAMES.fetch(client.name)}.#{scenario['name']}"
      @connections = {}
      @cursors = {}
      @result = {}
    end

    def run_json
      JSON.generate(Conformance.sorted('scenario' => @scenario['name'], 'client' => @client.name,
                                       'broker' => @options.broker_kind, 'result' => run))
    end

    def run
      @scenario['steps'].each_with_index do |step, index|
        begin
          outcome = send("op_#{step['op']}", step)
        rescue StandardError => e
          warn "#{@scenario['name']} step #{index + 1}: #{e.class}: #{e.message}\n  #{e.backtrace.first(5).join("\n  ")}"
          @result['driver_error'] = "step #{index + 1} (#{step['op']}): #{e.class.name.split('::').last}"
          break
        end
        @result[step['record']] = outcome if step.key?('record')
      end
      @result
    ensure
      @connections.each_value { |c| c.close rescue nil }
    end

    # -- values

    def expand(value)
      case value
      when Array then value.map { |v| expand(v) }
      when Hash then value.to_h { |k, v| [k, expand(v)] }
      when String
        now = (Time.now.to_f * 1000).to_i
        value.gsub(NOW_OFFSET) { (now + Regexp.last_match(1).to_i).to_s }.gsub('{base}', @base)
      else value
      end
    end

    def normalise(value)
      case value
      when Array then value.map { |v| normalise(v) }
      when String then value.gsub(@base, '~').gsub(GENERATED_QUEUE, 'amq.gen-*')
      else value
      end
    end

    def describe(connection, message, headers)
      body = normalise(connection.body(message))
      return body if headers.nil? || headers.empty?

      shown = { 'body' => body }
      headers.each do |name|
        value = connection.header(message, name)
        # RabbitMQ says redelivered:false where ActiveMQ says nothing
        next if value.nil? || (name == 'redelivered' && value == 'false')

        shown[name] = normalise(value)
      end
      shown
    end

    # -- steps

    def conn(step)
      @connections.fetch(step['conn'])
    end

    def receipt?(step)
      step.fetch('receipt', true)
    end

    def op_connect(step)
      version = step['version'] || @scenario['version'] || DEFAULT_VERSION
      connection, command = @client.open(step, version)
      @connections[step['conn']] = connection
      @cursors[step['conn']] = 0
      outcome = { 'frame' => command || 'none' }
      if command == 'CONNECTED'
        (step['fields'] || []).each { |field| outcome[field] = connection.connected_header(field) }
      end
      outcome
    end

    def op_send(step)
      conn(step).send_message(expand(step['dest']), step['body'], expand(step['headers'] || {}), step['tx'],
                              receipt?(step), step['receipt_timeout_ms'] || 5000)
    end

    def op_reply(step)
      connection = conn(step)
      request = find(connection, step['to'])
      connection.send_message(connection.header(request, 'reply-to'), step['body'], {}, nil, receipt?(step), 5000)
    end

    def op_subscribe(step)
      conn(step).subscribe(expand(step['dest']), step['id'], step['ack'] || 'auto', expand(step['headers'] || {}),
                           receipt?(step))
    end

    def op_unsubscribe(step)
      conn(step).unsubscribe(expand(step['dest']), step['id'], receipt?(step))
    end

    def op_ack(step)
      connection = conn(step)
      connection.acknowledge('ACK', find(connection, step['body']), step['tx'], receipt?(step))
    end

    def op_nack(step)
      connection = conn(step)
      connection.acknowledge('NACK', find(connection, step['body']), step['tx'], receipt?(step))
    end

    def op_begin(step)
      conn(step).transaction('BEGIN', step['tx'], receipt?(step))
    end

    def op_commit(step)
      conn(step).transaction('COMMIT', step['tx'], receipt?(step))
    end

    def op_abort(step)
      conn(step).transaction('ABORT', step['tx'], receipt?(step))
    end

    def op_raw(step)
      conn(step).raw(step['command'], step['headers'] || {})
    end

    def op_disconnect(step)
      conn(step).disconnect(receipt?(step))
    end

    def op_drop(step)
      conn(step).drop
      'dropped'
    end

    def op_probe(step)
      connection = conn(step)
      { 'error' => connection.error_count.positive?, 'connection' => connection.probe }
    end

    def op_await_close(step)
      conn(step).await_close(step['timeout_ms'] || 15_000) ? 'closed' : 'open'
    end

    def op_sleep(step)
      sleep(step['ms'] / 1000.0)
      nil
    end

    # The messages that arrived since the last receive on this connection: `count` of them, or
    # up to and including the one whose body is `until`.
    def op_receive(step)
      name = step['conn']
      connection = @connections.fetch(name)
      start = @cursors.fetch(name)
      timeout = step['timeout_ms'] || RECEIVE_TIMEOUT_MS
      if step.key?('until')
        position = lambda do |messages|
          (start...messages.size).each { |i| return i + 1 if connection.body(messages[i]) == step['until'] }
          nil
        end
        connection.wait_messages(timeout) { |m| !position.call(m).nil? || connection.closed? }
        messages = connection.messages
        finish = position.call(messages)
        complete = !finish.nil?
        finish ||= messages.size
      else
        connection.wait_messages(timeout) { |m| m.size - start >= step['count'] || connection.closed? }
        messages = connection.messages
        finish = messages.size
        complete = finish - start >= step['count']
      end
      @cursors[name] = finish
      shown = messages[start...finish].map { |m| describe(connection, m, step['headers']) }
      shown << (connection.closed? ? '(connection closed)' : '(timed out)') unless complete
      shown
    end

    # `count` messages over several connections; the bodies each got, as a sorted list of lists
    # (which consumer a broker serves first is not compared).
    def op_receive_any(step)
      names = step['conns']
      deadline = Time.now + (step['timeout_ms'] || RECEIVE_TIMEOUT_MS) / 1000.0
      arrived = -> { names.sum { |n| @connections[n].messages.size - @cursors[n] } }
      while arrived.call < step['count'] && Time.now < deadline && !names.all? { |n| @connections[n].closed? }
        sleep 0.02
      end
      complete = arrived.call >= step['count']
      partitions = names.map do |name|
        connection = @connections[name]
        messages = connection.messages
        bodies = messages[@cursors[name]..].map { |m| normalise(connection.body(m)) }
        @cursors[name] = messages.size
        bodies
      end
      result = partitions.sort
      result << '(timed out)' unless complete
      result
    end

    # The last MESSAGE on this connection with that body.
    def find(connection, body)
      connection.messages.reverse.find { |m| connection.body(m) == body } or
        raise KeyError, "no message with body #{body.inspect}"
    end
  end
end
