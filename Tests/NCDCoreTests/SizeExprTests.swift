import NCDCore
import XCTest

final class SizeExprTests: XCTestCase {
    let h = SizeExpr.symbol("h"), d = SizeExpr.symbol("d_k")

    func testNormalFormMakesEqualExpressionsEqual() throws {
        XCTAssertEqual(try h * d, try d * h)
        XCTAssertEqual(try (h + d) * (h - d), try h * h - d * d)
        XCTAssertEqual(try (h * SizeExpr(2)).description, "2*h")
        XCTAssertEqual(try (h * h + h + SizeExpr(1)).description, "h^2 + h + 1")
    }

    func testExactDivision() throws {
        XCTAssertEqual(try SizeExpr(64) / SizeExpr(4), SizeExpr(16))
        XCTAssertThrowsError(try SizeExpr(18) / SizeExpr(4)) { error in
            XCTAssertEqual(error as? SizeError, .notDivisible("18", by: "4"))
        }
        // A free size divides symbolically and is checked once bound.
        let half = try h / SizeExpr(2)
        XCTAssertEqual(half.description, "h/2")
        XCTAssertEqual(try half.evaluate(["h": 32]), 16)
        XCTAssertThrowsError(try half.evaluate(["h": 33]))
        XCTAssertEqual(try (try h * d) / h, d)
        XCTAssertEqual(try half * SizeExpr(2), h)
        XCTAssertThrowsError(try h / SizeExpr.zero)
    }

    func testFloorDivisionStaysWholeUntilBound() throws {
        let q = try SizeExpr.floorDivision(try h - SizeExpr(1), SizeExpr(2))
        XCTAssertNil(q.intValue)
        XCTAssertEqual(try q.evaluate(["h": 32]), 15)
        XCTAssertEqual(try SizeExpr.floorDivision(SizeExpr(-3), SizeExpr(2)), SizeExpr(-2))
    }

    func testWindowGeometryMatchesPyTorch() throws {
        // Conv2d(k=3, s=2, p=1) on 32 → 16; k=3, d=2 on 20 → 16; ConvTranspose(k=2, s=2) 16 → 32.
        XCTAssertEqual(try WindowGeometry(kernel: 3, stride: 2, padding: 1).outputSize(SizeExpr(32)), SizeExpr(16))
        XCTAssertEqual(try WindowGeometry(kernel: 3, dilation: 2).outputSize(SizeExpr(20)), SizeExpr(16))
        XCTAssertEqual(try WindowGeometry(kernel: 2, stride: 2).transposedOutputSize(SizeExpr(16)), SizeExpr(32))
        // Against the formula by brute force over small cases.
        for n in 1...12 {
            for k in 1...4 {
                for s in 1...3 {
                    for p in 0...2 {
                        let expected = (n + 2 * p - k) / s + 1
                        guard n + 2 * p - k >= 0 else { continue }
                        XCTAssertEqual(
                            try WindowGeometry(kernel: k, stride: s, padding: p).outputSize(SizeExpr(n)).intValue,
                            expected)
                    }
                }
            }
        }
    }

    func testPowersAndOverflow() throws {
        XCTAssertEqual(try SizeExpr(2).power(SizeExpr(10)), SizeExpr(1024))
        XCTAssertThrowsError(try SizeExpr(2).power(SizeExpr(-1)))
        XCTAssertThrowsError(try SizeExpr(Int.max / 2) * SizeExpr(3)) { XCTAssertEqual($0 as? SizeError, .overflow) }
        XCTAssertThrowsError(try SizeExpr(2).power(SizeExpr(64))) { XCTAssertEqual($0 as? SizeError, .overflow) }
        XCTAssertEqual(try SizeExpr(2).power(SizeExpr(62)).intValue, 1 << 62)
        XCTAssertEqual(try SizeExpr(3).power(SizeExpr(5)), SizeExpr(243))
        // Trivial bases answer at once, however large the exponent.
        XCTAssertEqual(try SizeExpr(1).power(SizeExpr(Int.max)), .one)
        XCTAssertEqual(try SizeExpr(-1).power(SizeExpr(Int.max)), SizeExpr(-1))
        XCTAssertEqual(try SizeExpr(0).power(SizeExpr(Int.max)), .zero)
        XCTAssertEqual(try SizeExpr.symbol("h").power(SizeExpr(3)).description, "h^3")
        XCTAssertThrowsError(try SizeExpr.symbol("h").power(SizeExpr(1 << 40)))
    }

    func testSubstitution() throws {
        let e = try h * d + SizeExpr(3)
        XCTAssertEqual(try e.substituting(["h": SizeExpr(4)]), try SizeExpr(4) * d + SizeExpr(3))
        XCTAssertThrowsError(try e.evaluate(["h": 4])) { XCTAssertEqual($0 as? SizeError, .unbound("d_k")) }
        XCTAssertEqual(e.freeSymbols, ["d_k", "h"])
    }

    func testRationalArithmetic() throws {
        let a = try Rational(1, 3)
        let b = try Rational(1, 6)
        XCTAssertEqual(try a + b, try Rational(1, 2))
        XCTAssertEqual(try a * b, try Rational(1, 18))
        XCTAssertTrue(b < a)
        XCTAssertEqual(try Rational(4, -8).description, "-1/2")
    }

    /// Terms that are multiples of a floor division's divisor leave it exactly, and what
    /// stays agrees with integer floor division for every value.
    func testFloorDivisionPullsOutMultiplesOfItsDivisor() throws {
        let w = SizeExpr.symbol("w")
        let half = try SizeExpr.floorDivision(try w + .one, SizeExpr(2))  // ⌈w/2⌉
        let window = try SizeExpr.floorDivision(try SizeExpr(2) * half - SizeExpr(2), SizeExpr(2)) + .one
        XCTAssertEqual(window, half, "⌊(2⌈w/2⌉ − 2)/2⌋ + 1 is ⌈w/2⌉")
        let mixed = try SizeExpr.floorDivision(try SizeExpr(6) * w + SizeExpr(5), SizeExpr(3))
        for v in 1...50 {
            XCTAssertEqual(try mixed.evaluate(["w": v]), (6 * v + 5) / 3, "w = \(v)")
            XCTAssertEqual(try window.evaluate(["w": v]), (v + 1) / 2, "w = \(v)")
        }
        XCTAssertEqual(mixed.description, try (try SizeExpr(2) * w + SizeExpr(1)).description)
    }
}
