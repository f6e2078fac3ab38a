import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM (once), for graceful shutdown of long-running commands.
enum TerminationSignal {
    /// Suspends until the process receives SIGINT or SIGTERM; returns the signal number.
    /// Returns 0 if the waiting task is cancelled first.
    static func wait() async -> Int32 {
        let box = OnceBox()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                box.install(continuation)
                for number in [SIGINT, SIGTERM] {
                    signal(number, SIG_IGN)
                    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                    source.setEventHandler { box.resume(number) }
                    source.resume()
                    Retained.sources.append(source)
                }
            }
        } onCancel: {
            box.resume(0)
        }
    }

    private final class OnceBox: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Int32, Never>?
        private var early: Int32?

        func install(_ continuation: CheckedContinuation<Int32, Never>) {
            lock.lock()
            if let early {
                lock.unlock()
                continuation.resume(returning: early)
                return
            }
            self.continuation = continuation
            lock.unlock()
        }

        func resume(_ value: Int32) {
            lock.lock()
            let pending = continuation
            continuation = nil
            if pending == nil && early == nil { early = value }
            lock.unlock()
            pending?.resume(returning: value)
        }
    }

    private enum Retained {
        nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []
    }
}
