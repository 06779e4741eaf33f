//! Events from annotations (EDF+ TAL annotations, CSV markers…).

use crate::recording::Annotation;

/// How an annotation's text is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMatch {
    /// The whole text equals the pattern (case-insensitive, surrounding spaces ignored).
    Exact,
    /// The text contains the pattern (case-insensitive).
    Contains,
}

/// Onset times (s) of the annotations whose text matches `pattern`, sorted ascending.
pub fn annotation_times(annotations: &[Annotation], pattern: &str, how: TextMatch) -> Vec<f64> {
    let p = pattern.trim().to_lowercase();
    let mut t: Vec<f64> = annotations
        .iter()
        .filter(|a| {
            let text = a.text.trim().to_lowercase();
            match how {
                TextMatch::Exact => text == p,
                TextMatch::Contains => text.contains(&p),
            }
        })
        .map(|a| a.onset)
        .collect();
    t.sort_by(f64::total_cmp);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(onset: f64, text: &str) -> Annotation {
        Annotation { onset, duration: None, text: text.into() }
    }

    #[test]
    fn matching() {
        let a = [ann(5.0, "Spike"), ann(1.0, "spike wave"), ann(3.0, "eyes closed"), ann(2.0, " SPIKE ")];
        assert_eq!(annotation_times(&a, "spike", TextMatch::Exact), vec![2.0, 5.0]);
        assert_eq!(annotation_times(&a, "Spike", TextMatch::Contains), vec![1.0, 2.0, 5.0]);
        assert!(annotation_times(&a, "blink", TextMatch::Contains).is_empty());
    }
}
