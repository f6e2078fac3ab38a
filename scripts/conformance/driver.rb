#!/usr/bin/env ruby
# Run the STOMP conformance scenarios (scenarios.json) through the stomp gem (Debian's
# ruby-stomp, the client MCollective itself uses) against one broker, and print one JSON line
# per scenario, as driver.py does for stomp.py:
#
#   {"broker": KIND, "client": "ruby", "result": {RECORD: OUTCOME, ...}, "scenario": NAME}
#
#   driver.rb --host 127.0.0.1 --port 61613 --login mcollective --passcode marionette \
#             --broker-kind chorus|rabbitmq|activemq [--scenario NAME[,NAME...]|all]
require 'stomp'
require_relative 'scenario_run'

# The gem warns on stderr at every EOF with reliable: false; the scenarios cause those on purpose.
Warning.extend(Module.new do
  def warn(message, **options)
    super unless message.include?('broker sent EOF, and connection not reliable')
  end
end)

module Conformance
  CLIENT = 'ruby'

  # One STOMP connection through Stomp::Connection, with a reader thread that collects
  # every frame for the steps to wait on.
  class GemConnection
    attr_reader :version

    def initialize(options, version)
      @options = options
      @version = version
      @lock = Mutex.new
      @changed = ConditionVariable.new
      @messages = []
      @receipts = []
      @errors = 0
      @closed = false
      @next_receipt = 0
    end

    # CONNECT (or STOMP); returns the answering frame's command, 'client-refused' when the gem
    # will not send it, or nil.
    def connect(step)
      headers = { 'accept-version': step['accept'] || @version, host: @options.vhost }
      headers[:'heart-beat'] = step['heartbeat'] if step.key?('heartbeat')
      host = { login: @options.login, passcode: step['passcode'] || @options.passcode,
               host: @options.host, port: @options.port, ssl: false }
      @stomp = Stomp::Connection.new(hosts: [host], reliable: false, connect_headers: headers,
                                     stompconn: step['frame'] == 'STOMP', connect_timeout: 5,
                                     connread_timeout: 5, parse_timeout: 5)
      # A client that promised heart-beats and then stays silent: stop the gem's sender.
      @stomp.instance_variable_get(:@st)&.kill if step['silent']
      frame = @stomp.connection_frame
      @errors += 1 if frame&.command == 'ERROR'
      start_reader
      frame&.command
    rescue Stomp::Error::UnsupportedProtocolError
      @closed = true
      'client-refused'
    rescue StandardError
      @closed = true
      nil
    end

    def connected_header(name)
      @stomp&.connection_frame&.headers&.fetch(name, nil)
    end

    def start_reader
      @reader = Thread.new do
        Thread.current.report_on_exception = false
        loop do
          frame = begin
            @stomp.receive
          rescue StandardError, IOError
            nil
          end
          note do
            case frame&.command
            when nil then @closed = true
            when 'MESSAGE' then @messages << frame
            when 'RECEIPT' then @receipts << frame.headers['receipt-id']
            when 'ERROR' then @errors += 1
            end
          end
          break if frame.nil?
        end
      end
    end

    def note
      @lock.synchronize do
        yield
        @changed.broadcast
      end
    end

    # Waits until the block holds or the time is up; returns the block's value.
    def wait_for(timeout_ms)
      deadline = Time.now + timeout_ms / 1000.0
      @lock.synchronize do
        until (held = yield)
          left = deadline - Time.now
          break if left <= 0

          @changed.wait(@lock, left)
        end
        held
      end
    end

    # -- frames with receipts

    def receipt_id
      @next_receipt += 1
      "receipt-#{@next_receipt}"
    end

    # 'receipt', 'error' (an ERROR came instead), 'closed' or 'timeout'.
    def await_receipt(receipt, errors, timeout_ms = 5000)
      wait_for(timeout_ms) { @receipts.include?(receipt) || @errors > errors || @closed }
      @lock.synchronize do
        next 'receipt' if @receipts.include?(receipt)
        next 'error' if @errors > errors

        @closed ? 'closed' : 'timeout'
      end
    end

    # Runs the block with the headers (plus a receipt when asked) and reports the outcome.
    def perform(with_receipt, timeout_ms = 5000)
      return 'closed' if closed?

      headers = {}
      receipt = nil
      if with_receipt
        receipt = receipt_id
        headers[:receipt] = receipt
      end
      errors = error_count
      begin
        yield headers
      rescue Stomp::Error::NoCurrentConnection, IOError, SystemCallError
        # The broker may have answered and closed while the gem was still writing.
        return receipt && @receipts.include?(receipt) ? 'receipt' : 'closed'
      end
      receipt.nil? ? 'sent' : await_receipt(receipt, errors, timeout_ms)
    end

    def symbols(headers)
      headers.to_h { |k, v| [k.to_sym, v] }
    end

    # A list value is a header repeated once per element (the gem writes arrays so).
    def send_message(destination, body, headers, transaction, with_receipt, timeout_ms = 5000)
      perform(with_receipt, timeout_ms) do |extra|
        merged = symbols(headers).merge(extra)
        merged[:transaction] = transaction if transaction
        @stomp.publish(destination, body, merged)
      end
    end

    def subscribe(destination, id, ack, headers, with_receipt)
      perform(with_receipt) do |extra|
        merged = symbols(headers).merge(extra).merge(ack: ack)
        merged[:id] = id if id
        @stomp.subscribe(destination, merged, id)
      end
    end

    def unsubscribe(destination, id, with_receipt)
      perform(with_receipt) do |extra|
        extra[:id] = id if id
        @stomp.unsubscribe(destination, extra, id)
      end
    end

    # ACK or NACK of a MESSAGE frame, with the headers this version wants.
    def acknowledge(command, message, transaction, with_receipt)
      perform(with_receipt) do |extra|
        extra[:transaction] = transaction if transaction
        method = command == 'ACK' ? :ack : :nack
        case @version
        when '1.2' then @stomp.public_send(method, message.headers.fetch('ack'), extra)
        when '1.1'
          @stomp.public_send(method, message.headers.fetch('message-id'),
                             extra.merge(subscription: message.headers.fetch('subscription')))
        else @stomp.public_send(method, message.headers.fetch('message-id'), extra)
        end
      end
    end

    def transaction(command, name, with_receipt)
      method = { 'BEGIN' => :begin, 'COMMIT' => :commit, 'ABORT' => :abort }.fetch(command)
      perform(with_receipt) { |extra| @stomp.public_send(method, name, extra) }
    end

    # A frame the gem has no method for, through its frame writer on the open socket (its
    # transmit would reconnect a closed connection).
    def raw(command, headers)
      errors = error_count
      begin
        @stomp.send(:_transmit, @stomp.instance_variable_get(:@socket), command, symbols(headers))
      rescue IOError, SystemCallError
        nil # closed while the gem was still writing: the ERROR may have come all the same
      end
      wait_for(3000) { @errors > errors || @closed }
      return 'error' if error_count > errors

      closed? ? 'closed' : 'nothing'
    end

    # DISCONNECT through the gem's frame writer, then close the socket. (The gem's disconnect
    # reads the RECEIPT itself, which races with our reader when a MESSAGE is still arriving.)
    def disconnect(with_receipt)
      return 'closed' if closed?

      receipt = with_receipt ? receipt_id : nil
      errors = error_count
      begin
        @stomp.send(:_transmit, @stomp.instance_variable_get(:@socket), 'DISCONNECT',
                    receipt ? { receipt: receipt } : {})
      rescue IOError, SystemCallError
        # The reader closes the socket at EOF, maybe before the gem finished writing:
        # the RECEIPT may have come all the same.
        nil
      end
      outcome = receipt ? await_receipt(receipt, errors) : 'sent'
      drop
      outcome
    end

    # Closes the socket without a DISCONNECT frame.
    def drop
      @stomp&.instance_variable_get(:@socket)&.close
    rescue IOError
      nil
    ensure
      wait_for(2000) { @closed }
      note { @closed = true }
    end

    # After an ERROR: 'closed' when the broker closes the connection by itself within a second;
    # else DISCONNECT with a receipt through the frame writer: 'answers' when the RECEIPT comes,
    # 'unresponsive' when neither it nor a close comes within 2 s.
    def probe
      return 'closed' if wait_for(1000) { @closed }

      begin
        @stomp.send(:_transmit, @stomp.instance_variable_get(:@socket), 'DISCONNECT', { receipt: 'probe' })
      rescue IOError, SystemCallError
        nil # answered and closed while the gem was still writing, or closed before
      end
      wait_for(2000) { @receipts.include?('probe') || @closed }
      @lock.synchronize { @receipts.include?('probe') ? 'answers' : (@closed ? 'closed' : 'unresponsive') }
    end

    def await_close(timeout_ms)
      wait_for(timeout_ms) { @closed }
    end

    def close
      drop unless closed?
    end

    # -- received messages, as ScenarioRun sees them

    def messages
      @lock.synchronize { @messages.dup }
    end

    def wait_messages(timeout_ms, &predicate)
      wait_for(timeout_ms) { predicate.call(@messages) }
    end

    def body(message)
      message.body.dup.force_encoding(Encoding::UTF_8).scrub
    end

    def header(message, name)
      message.headers[name]
    end

    # Plain reads (no lock): also called from inside wait_for's block.
    def error_count
      @errors
    end

    def closed?
      @closed
    end
  end

  # What ScenarioRun needs from a client library.
  class GemClient
    def initialize(options)
      @options = options
    end

    def name
      CLIENT
    end

    def open(step, version)
      connection = GemConnection.new(@options, version)
      [connection, connection.connect(step)]
    end
  end
end

options = Conformance.parse_arguments(ARGV, Conformance::CLIENT)
client = Conformance::GemClient.new(options)
$stdout.sync = true
Conformance.selected(options.scenarios, options.scenario, options.broker_kind).each do |scenario|
  started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  puts Conformance::ScenarioRun.new(scenario, client, options).run_json
  # Durations go to stderr (the run's log), never into a result.
  warn format('%s: %d ms', scenario['name'], (Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) * 1000)
end
