import RoostCore
import Testing

@Suite("Lock shards")
struct LockShardsTests {
    @Test func countingKeysSpreadOverEveryShard() {
        let shards = LockShards<Int>(count: 64) { 0 }
        #expect(shards.count == 64)
        for key in Int64(1)...6_400 { shards.withLock(for: key) { $0 += 1 } }
        let perShard = shards.map { $0 }
        #expect(perShard.reduce(0, +) == 6_400)
        // Sequential user ids must not pile up on a few locks.
        #expect(perShard.allSatisfy { (50...150).contains($0) }, "\(perShard)")
    }

    @Test func theCountIsRoundedUpToAPowerOfTwo() {
        #expect(LockShards<Int>(count: 5) { 0 }.count == 8)
        let single = LockShards<Int>(count: 1) { 0 }
        #expect(single.count == 1)
        #expect([Int64.min, -1, 0, 1, .max].allSatisfy { single.shardIndex(of: $0) == 0 })
        let many = LockShards<Int>(count: 16) { 0 }
        #expect([Int64.min, -1, 0, 1, .max].allSatisfy { (0..<16).contains(many.shardIndex(of: $0)) })
    }

    @Test func concurrentUpdatesOfOneKeyAreNeverLost() async {
        let shards = LockShards<[Int64: Int]>(count: 4) { [:] }
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for i in 0..<2_000 {
                        let key = Int64(i % 16)
                        shards.withLock(for: key) { $0[key, default: 0] += 1 }
                        if task == 0 { _ = shards.map(\.count) }
                    }
                }
            }
        }
        let totals = shards.map { $0.values.reduce(0, +) }.reduce(0, +)
        #expect(totals == 8 * 2_000)
        #expect(shards.withLock(for: 3) { $0[3] } == 8 * 2_000 / 16)
    }
}
