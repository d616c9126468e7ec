//! Garages and their reviews (spec 5, issue 11): the rules without I/O.
//!
//! A garage's `average_rating` is kept exact: the store holds the integer
//! sum and count of its reviews' ratings, changed in the same transaction
//! as each review, and the mean is rounded to 2 decimals half-to-even in
//! integers (no float ever rounds it the other way).

/// The lowest and highest rating a review gives (spec 5: 1 to 5 stars).
pub const RATINGS: (u8, u8) = (1, 5);

/// The running sum and count of a garage's ratings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RatingTally {
    pub sum: u64,
    pub count: u64,
}

impl RatingTally {
    /// With one more review of `rating`.
    pub fn with(self, rating: u8) -> Self {
        Self {
            sum: self.sum + u64::from(rating),
            count: self.count + 1,
        }
    }

    /// Without a review of `rating` (a deleted review). `None` when the
    /// tally never held it: the caller's read is stale.
    pub fn without(self, rating: u8) -> Option<Self> {
        Some(Self {
            sum: self.sum.checked_sub(u64::from(rating))?,
            count: self.count.checked_sub(1)?,
        })
        .filter(|t| t.count > 0 || t.sum == 0)
    }

    /// With a review's rating changed from `before` to `after`.
    pub fn replacing(self, before: u8, after: u8) -> Option<Self> {
        self.without(before).map(|t| t.with(after))
    }

    /// The mean in hundredths, rounded half to even; 0 without reviews.
    pub fn hundredths(self) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let scaled = 100 * self.sum;
        let (quotient, remainder) = (scaled / self.count, scaled % self.count);
        match (2 * remainder).cmp(&self.count) {
            std::cmp::Ordering::Greater => quotient + 1,
            std::cmp::Ordering::Equal => quotient + quotient % 2,
            std::cmp::Ordering::Less => quotient,
        }
    }

    /// `average_rating` as the API shows it: `"4.33"`, `"0.00"`.
    pub fn average(self) -> String {
        let h = self.hundredths();
        format!("{}.{:02}", h / 100, h % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(ratings: &[u8]) -> RatingTally {
        ratings
            .iter()
            .fold(RatingTally::default(), |t, &r| t.with(r))
    }

    #[test]
    fn the_issue_s_example() {
        let t = tally(&[5, 4, 4]);
        assert_eq!(t.average(), "4.33");
        assert_eq!(t.with(1).average(), "3.50");
    }

    #[test]
    fn exact_halves_round_to_even() {
        // 9/8 = 1.125, 11/8 = 1.375, 33/8 = 4.125 (in hundredths: x.5).
        let of = |sum, count| RatingTally { sum, count }.average();
        assert_eq!(of(9, 8), "1.12");
        assert_eq!(of(11, 8), "1.38");
        assert_eq!(of(33, 8), "4.12");
        // 167/40 = 4.175 exactly: the rule gives 4.18 (a float would not).
        assert_eq!(of(167, 40), "4.18");
    }

    #[test]
    fn the_bounds_and_no_review() {
        assert_eq!(RatingTally::default().average(), "0.00");
        assert_eq!(tally(&[5, 5, 5]).average(), "5.00");
        assert_eq!(tally(&[1]).average(), "1.00");
        assert_eq!(tally(&[1, 2, 2]).average(), "1.67");
    }

    #[test]
    fn edits_and_deletes_keep_the_tally_exact() {
        let t = tally(&[5, 4, 4, 1]);
        assert_eq!(t.replacing(1, 5).unwrap().average(), "4.50");
        let t = t.without(1).unwrap();
        assert_eq!(t, tally(&[5, 4, 4]));
        let emptied = tally(&[3]).without(3).unwrap();
        assert_eq!(emptied, RatingTally::default());
        assert_eq!(emptied.average(), "0.00");
        // A rating the tally cannot hold: the read was stale.
        assert_eq!(RatingTally::default().without(3), None);
        assert_eq!(tally(&[1]).without(5), None);
        assert_eq!(RatingTally { sum: 9, count: 1 }.without(4), None);
    }
}
