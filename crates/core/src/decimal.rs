//! [`parse`]: a JSON number as the nearest double, exactly (ties to even), with small big-integer
//! arithmetic. The JSON reader takes the common numbers on its own fast path and comes here only for long
//! ones; serde_json's conversion (its `lexical` bignum code) was ~12 KB of the npm WASM.

/// At most this many significant digits are kept: a halfway point between two doubles has at most 767,
/// so the digits past them only tell whether the value is above the kept ones (a sticky bit).
const MAX_DIGITS: usize = 800;

/// A JSON number (`-?digits[.digits][(e|E)[+-]digits]`) as the nearest double; `None` for other text or
/// when the value rounds past `f64::MAX` (serde_json's "number out of range").
pub(crate) fn parse(json: &str) -> Option<f64> {
    let (negative, unsigned) = match json.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, json),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    let is_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !is_digits(int) || !(frac.is_empty() || is_digits(frac)) || mantissa.ends_with('.') {
        return None;
    }
    // The exponent, saturated far past where every value is zero or infinite.
    let mut exp: i64 = 0;
    if let Some(e) = exponent {
        let (minus, digits) = match e.as_bytes().first() {
            Some(b'-') => (true, &e[1..]),
            Some(b'+') => (false, &e[1..]),
            _ => (false, e),
        };
        if !is_digits(digits) {
            return None;
        }
        for b in digits.bytes() {
            exp = (exp * 10 + i64::from(b - b'0')).min(1 << 40);
        }
        if minus {
            exp = -exp;
        }
    }
    let sign = |x: f64| if negative { -x } else { x };
    // Significant digits (no leading or trailing zeros); value = digits × 10^exp.
    let all = int.bytes().chain(frac.bytes());
    let leading = all.clone().take_while(|&b| b == b'0').count();
    let mut digits: Vec<u8> = all.skip(leading).collect();
    exp -= i64::try_from(frac.len()).ok()?;
    while digits.last() == Some(&b'0') {
        digits.pop();
        exp += 1;
    }
    if digits.is_empty() {
        return Some(sign(0.0));
    }
    let mut sticky = false;
    if digits.len() > MAX_DIGITS {
        exp += i64::try_from(digits.len() - MAX_DIGITS).ok()?;
        digits.truncate(MAX_DIGITS);
        sticky = true; // the last digit dropped is not a zero
    }
    let count = i64::try_from(digits.len()).ok()?;
    // 10^(exp + count - 1) ≤ value < 10^(exp + count).
    if exp + count - 1 > 308 {
        return None;
    }
    if exp + count < -324 {
        return Some(sign(0.0)); // below 10^-324, under half the smallest subnormal
    }
    let mut n = Big::default();
    for chunk in digits.chunks(9) {
        let mut v = 0u32;
        for &d in chunk {
            v = v * 10 + u32::from(d - b'0');
        }
        n.mul_add(10u32.pow(u32::try_from(chunk.len()).ok()?), v);
    }
    let bits = if exp >= 0 {
        n.mul_pow10(u32::try_from(exp).ok()?);
        round(&n, 0, sticky)
    } else {
        // value = n / 10^k: a quotient of 55 to 57 bits, the remainder as sticky bit.
        let mut d = Big::from(1);
        d.mul_pow10(u32::try_from(-exp).ok()?);
        let shift = i64::from(d.bit_len()) - i64::from(n.bit_len()) + 56;
        let s = u32::try_from(shift.unsigned_abs()).ok()?;
        if shift >= 0 {
            n.shl(s);
        } else {
            d.shl(s);
        }
        d.shl(57);
        let mut q = 0u64;
        for i in (0..=57).rev() {
            if n.cmp(&d).is_ge() {
                n.sub(&d);
                q |= 1 << i;
            }
            d.shr1();
        }
        let rest = !n.is_zero();
        round(&Big::from_u64(q), -shift, sticky || rest)
    }?;
    Some(sign(f64::from_bits(bits)))
}

/// The bits of the double nearest to `n × 2^scale` (plus a little more when `sticky`), ties to even;
/// `None` past `f64::MAX`.
fn round(n: &Big, scale: i64, sticky: bool) -> Option<u64> {
    let top = i64::from(n.bit_len()) - 1 + scale; // exponent of the leading bit
    let lsb = (top - 52).max(-1074); // exponent of the result's last bit
    let shift = lsb - scale; // bits of `n` below it
    let mut m = 0u64;
    if shift <= 0 {
        // Exact: `n` has at most 53 bits (never with a sticky bit: those values have 55 or more).
        let low =
            n.0.iter()
                .take(2)
                .rev()
                .fold(0u64, |v, &l| v << 32 | u64::from(l));
        m = low << shift.unsigned_abs();
    } else {
        let shift = u32::try_from(shift).ok()?;
        for i in 0..53 {
            m |= u64::from(n.bit(shift + i)) << i;
        }
        let guard = n.bit(shift - 1);
        let rest = sticky || n.any_below(shift - 1);
        if guard && (rest || m & 1 == 1) {
            m += 1;
        }
    }
    // `m` carries into the exponent field on its own (also from subnormal to normal).
    let bits = (u64::try_from(lsb + 1074).ok()? << 52) + m;
    (bits < 0x7FF0_0000_0000_0000).then_some(bits)
}

/// An unsigned big integer, 32-bit limbs, least significant first.
#[derive(Clone, Default)]
struct Big(Vec<u32>);

impl Big {
    fn from(v: u32) -> Self {
        Self(vec![v])
    }

    fn from_u64(v: u64) -> Self {
        #[allow(clippy::cast_possible_truncation)]
        Self(vec![v as u32, (v >> 32) as u32])
    }

    /// `self = self × mul + add`.
    fn mul_add(&mut self, mul: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(mul) + carry;
            #[allow(clippy::cast_possible_truncation)]
            {
                *limb = v as u32;
            }
            carry = v >> 32;
        }
        if carry > 0 {
            #[allow(clippy::cast_possible_truncation)]
            self.0.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut k: u32) {
        while k >= 9 {
            self.mul_add(1_000_000_000, 0);
            k -= 9;
        }
        self.mul_add(10u32.pow(k), 0);
    }

    fn shl(&mut self, bits: u32) {
        let mut out = vec![0; (bits / 32) as usize];
        let bits = bits % 32;
        let mut carry = 0;
        for &limb in &self.0 {
            // `<< 1 << 31 - bits`: no shift by 32 when `bits` is 0.
            out.push((limb << bits) | carry);
            carry = limb >> 1 >> (31 - bits);
        }
        out.push(carry);
        self.0 = out;
        self.trim();
    }

    fn shr1(&mut self) {
        let mut carry = 0;
        for limb in self.0.iter_mut().rev() {
            let v = (*limb >> 1) | carry;
            carry = *limb << 31;
            *limb = v;
        }
        self.trim();
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    fn bit_len(&self) -> u32 {
        let mut len = self.0.len();
        while len > 0 && self.0[len - 1] == 0 {
            len -= 1;
        }
        match len {
            0 => 0,
            _ => u32::try_from(len).unwrap_or(u32::MAX) * 32 - self.0[len - 1].leading_zeros(),
        }
    }

    fn bit(&self, i: u32) -> bool {
        self.0
            .get((i / 32) as usize)
            .is_some_and(|l| l >> (i % 32) & 1 == 1)
    }

    /// Whether a bit below `i` is set.
    fn any_below(&self, i: u32) -> bool {
        let (limbs, bits) = ((i / 32) as usize, i % 32);
        self.0.iter().take(limbs).any(|&l| l != 0)
            || self
                .0
                .get(limbs)
                .is_some_and(|l| l & ((1 << bits) - 1) != 0)
    }

    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let len = self.0.len().max(other.0.len());
        let limb = |b: &Self, i: usize| b.0.get(i).copied().unwrap_or(0);
        (0..len)
            .rev()
            .map(|i| limb(self, i).cmp(&limb(other, i)))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    }

    /// `self -= other` (`self` ≥ `other`).
    fn sub(&mut self, other: &Self) {
        let mut borrow = 0i64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(v < 0);
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            {
                *limb = (v + (borrow << 32)) as u32;
            }
        }
        self.trim();
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use proptest::prelude::*;

    /// std's parser (correctly rounded) as the oracle; `None` where serde_json says out of range.
    fn oracle(text: &str) -> Option<u64> {
        let x: f64 = text.parse().ok()?;
        x.is_finite().then(|| x.to_bits())
    }

    /// The double std gives; and serde_json's too, for numbers of up to 100 characters. On longer ones
    /// (exact ties written out in full, hundreds of digits) serde_json's `float_roundtrip` conversion can
    /// be one unit off (`edges_and_ties` has such numbers); this conversion follows std and IEEE 754.
    fn check(text: &str) {
        let ours = parse(text).map(f64::to_bits);
        assert_eq!(ours, oracle(text), "{text}");
        if text.len() <= 100 {
            let serde = text
                .parse::<serde_json::Number>()
                .ok()
                .and_then(|n| n.as_f64());
            assert_eq!(ours, serde.map(f64::to_bits), "{text}");
        }
    }

    #[test]
    fn edges_and_ties() {
        for text in [
            "0",
            "-0",
            "0.0e10",
            "9007199254740993",
            "9007199254740995",
            "18446744073709551616",
            "123456789012345678901234567890",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1e-400",
            "-1e-400",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e309",
            "0.1",
            "1e23",
            "8.98846567431158e307",
            "0.000000000000000000000000000000000000000000000000000000001",
            "1e00000000000000000000000000000000000000001",
            "1e-99999999999999999999999",
            "1e99999999999999999999999",
        ] {
            check(text);
        }
        // 2^-1075 (half the smallest subnormal) exactly ties to 0; a little more rounds up.
        let half = midpoint(0.0, 5e-324);
        check(&half);
        check(&half.replacen('e', "1e", 1));
        let long = format!("1{}e-400", "0".repeat(1000));
        check(&long);
        check(&format!("{long}1"));
        check(&midpoint(f64::MAX, f64::MAX)); // the exact expansion of MAX, 309 digits
    }

    /// `x` exactly as decimal digits and a power of ten (`{:e}` with enough digits is exact).
    fn exact(x: f64) -> (Vec<u8>, i64) {
        let text = format!("{x:.1100e}");
        let (mantissa, exp) = text.split_once('e').unwrap();
        let digits = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        (digits, exp.parse::<i64>().unwrap() - 1100)
    }

    /// The exact decimal text of `(x + y) / 2`.
    fn midpoint(x: f64, y: f64) -> String {
        let ((mut a, ea), (mut b, eb)) = (exact(x), exact(y));
        let e = ea.min(eb);
        a.extend(std::iter::repeat_n(0, usize::try_from(ea - e).unwrap()));
        b.extend(std::iter::repeat_n(0, usize::try_from(eb - e).unwrap()));
        let len = a.len().max(b.len()) + 1;
        let digit = |v: &Vec<u8>, i: usize| v.iter().rev().nth(i).copied().unwrap_or(0);
        let mut sum = vec![0u8; len];
        let mut carry = 0;
        for i in 0..len {
            let d = digit(&a, i) + digit(&b, i) + carry;
            sum[len - 1 - i] = d % 10;
            carry = d / 10;
        }
        sum.push(0); // ×10, so that halving is exact
        let mut rest = 0;
        let half: String = sum
            .iter()
            .map(|&d| {
                let v = rest * 10 + d;
                rest = v % 2;
                char::from(b'0' + v / 2)
            })
            .collect();
        format!("{}e{}", half.trim_start_matches('0'), e - 1)
    }

    fn number() -> impl Strategy<Value = String> {
        let digits = prop_oneof![
            "[0-9]{1,20}",
            "[0-9]{17,40}",
            "[1-9][0-9]{0,5}0{0,900}[1-9]?"
        ];
        (
            any::<bool>(),
            digits,
            proptest::option::of("[0-9]{1,30}"),
            proptest::option::of(-420i32..420),
        )
            .prop_map(|(minus, int, frac, exp)| {
                let int = int.trim_start_matches('0');
                let mut s = format!(
                    "{}{}",
                    if minus { "-" } else { "" },
                    if int.is_empty() { "0" } else { int }
                );
                if let Some(f) = frac {
                    s.push('.');
                    s.push_str(&f);
                }
                if let Some(e) = exp {
                    s.push_str(&format!("e{e}"));
                }
                s
            })
    }

    proptest! {
        /// Any JSON number: the double std and serde_json give, or out of range where they say so.
        #[test]
        fn any_number_as_std_and_serde_json(text in number()) {
            check(&text);
        }

        /// The exact decimal expansion of any double, and the point halfway to the next one (a tie).
        #[test]
        fn exact_expansions_and_halfway_points(bits in 0u64..0x7FEF_FFFF_FFFF_FFFF) {
            let (x, next) = (f64::from_bits(bits), f64::from_bits(bits + 1));
            check(&format!("{x:.1100e}"));
            check(&format!("{x:e}"));
            check(&midpoint(x, next));
        }
    }
}
