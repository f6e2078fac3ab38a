import Foundation
import ChorusTestSupport
import Testing

/// Every end-to-end suite runs inside this one, one test at a time: they start real
/// processes and time real discovery windows, which parallel tests on a 2-core machine
/// would distort. Unit-test targets still run in parallel.
@Suite("End to end (real broker and node processes)", .serialized)
enum EndToEnd {}
