//! Text plumbing for extraction: sentences with character offsets, and a folded copy of the
//! text that maps every folded byte back to its source character.

use crate::geocode::fold::fold;

/// A sentence: its text and its character offsets in the input.
///
/// Offsets count `char`s, not bytes: `text` is the input's characters `start..end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Character offset of the sentence's first character.
    pub start: usize,
    /// Character offset past the sentence's last character.
    pub end: usize,
    /// The sentence, without the white space around it.
    pub text: String,
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "no", "vs", "gen", "col", "lt", "sgt", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "e.g", "i.e",
    "approx", "inc", "co", "ltd",
];

/// Whether the line that `line` starts is a metadata line: `#`, a word, a colon.
fn is_metadata_line(line: &[char]) -> bool {
    let Some(rest) = line.strip_prefix(&['#']) else {
        return false;
    };
    let rest: Vec<char> = rest.iter().copied().skip_while(|c| *c == ' ').collect();
    let key = rest
        .iter()
        .take_while(|c| c.is_alphabetic() || **c == '_' || **c == '-')
        .count();
    key > 0 && rest.get(key) == Some(&':')
}

/// Splits text into sentences at `.`, `!` or `?` followed by a space and a capital letter or
/// quote, and at blank lines and line breaks; abbreviations and initials do not end one. A
/// line break that only wraps a line (see `soft_breaks`) is a space, so that "near the Panj" /
/// "river" stays one sentence. A metadata line of a saved page (`# source: URL`,
/// `# published: 2016-08-08`) is not article text and is no sentence.
///
/// ```
/// use borderwatch::extract::text::sentences;
/// let saved = sentences("# source: http://example.org/killed-in-clash\nFive were killed.");
/// assert_eq!(saved.len(), 1);
/// assert_eq!(saved[0].text, "Five were killed.");
/// let s = sentences("Mr. Gochli said so. The video is dated Oct. 2017.\nNext line");
/// assert_eq!(s.len(), 3);
/// assert_eq!(s[1].text, "The video is dated Oct. 2017.");
/// assert_eq!((s[1].start, s[1].end), (20, 49));
/// ```
pub fn sentences(text: &str) -> Vec<Sentence> {
    let chars: Vec<char> = text.chars().collect();
    let soft = soft_breaks(&chars);
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let push = |from: usize, to: usize, out: &mut Vec<Sentence>| {
        let raw: String = chars[from..to].iter().collect();
        let lead = raw.len() - raw.trim_start().len();
        let trimmed = raw.trim();
        if !trimmed.is_empty() {
            let first = from + raw[..lead].chars().count();
            out.push(Sentence {
                start: first,
                end: first + trimmed.chars().count(),
                text: trimmed.to_string(),
            });
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if i == start && (i == 0 || chars[i - 1] == '\n') && is_metadata_line(&chars[i..]) {
            i += chars[i..].iter().take_while(|&&c| c != '\n').count();
            start = i;
            continue;
        }
        if c == '\n' && !soft[i] {
            push(start, i, &mut out);
            start = i + 1;
        } else if matches!(c, '.' | '!' | '?') {
            let next = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            let ends = next.is_some_and(char::is_whitespace)
                && after.is_some_and(|a| a.is_uppercase() || a == '"' || a == '“' || a == '‘');
            let word: String = chars[start..i]
                .iter()
                .rev()
                .take_while(|c| !c.is_whitespace())
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<String>()
                .to_lowercase();
            let abbreviation = ABBREVIATIONS
                .contains(&word.trim_matches(|c: char| !c.is_alphanumeric() && c != '.'))
                || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic));
            if ends && !(c == '.' && abbreviation) {
                push(start, i + 1, &mut out);
                start = i + 1;
            }
        }
        i += 1;
    }
    push(start, chars.len(), &mut out);
    out
}

/// A paragraph's lines are taken as wrapped at a fixed width when it has at least this many
/// lines...
const WRAPPED_MIN_LINES: usize = 3;
/// ... its longest line has at least this many characters ...
const WRAPPED_MIN_WIDTH: usize = 50;
/// ... and every line but the last is at least this share of the longest.
const WRAPPED_MIN_SHARE: f64 = 0.6;

/// For each character, whether it is a line break that continues the sentence: inside a
/// paragraph wrapped at a fixed width (see [`WRAPPED_MIN_LINES`]), or before a line that
/// starts in lower case, when the line before it does not end with `.`, `!` or `?`. A break
/// before a blank line, after a headline or before a dateline in capitals stays a break.
fn soft_breaks(chars: &[char]) -> Vec<bool> {
    let mut soft = vec![false; chars.len()];
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut from = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            lines.push((from, i));
            from = i + 1;
        }
    }
    lines.push((from, chars.len()));
    let blank = |&(a, b): &(usize, usize)| chars[a..b].iter().all(|c| c.is_whitespace());
    let width = |&(a, b): &(usize, usize)| {
        chars[a..b]
            .iter()
            .collect::<String>()
            .trim()
            .chars()
            .count()
    };
    for paragraph in lines.split(blank) {
        let longest = paragraph.iter().map(width).max().unwrap_or(0);
        let wrapped = paragraph.len() >= WRAPPED_MIN_LINES
            && longest >= WRAPPED_MIN_WIDTH
            && paragraph[..paragraph.len() - 1]
                .iter()
                .all(|l| width(l) as f64 >= WRAPPED_MIN_SHARE * longest as f64);
        for pair in paragraph.windows(2) {
            let (line, next) = (pair[0], pair[1]);
            let last = chars[line.0..line.1]
                .iter()
                .rev()
                .find(|c| !c.is_whitespace());
            let ends = last.is_some_and(|c| matches!(c, '.' | '!' | '?'));
            let first = chars[next.0..next.1].iter().find(|c| !c.is_whitespace());
            let continues = first.is_some_and(|c| c.is_lowercase());
            if !ends && (wrapped || continues) {
                soft[line.1] = true;
            }
        }
    }
    soft
}

/// The text folded for matching (see [`fold`]), with the source character of every byte.
pub(crate) struct Folded {
    /// The folded text.
    pub text: String,
    /// Where the folded bytes came from, run by run: a byte per character over ASCII, which
    /// folds one to one, several bytes of one character elsewhere. A table of a source index
    /// per byte would be four times the text, and its pages cost more to touch than the
    /// folding itself.
    runs: Vec<Run>,
}

/// Folded bytes from `folded` on, up to the next run, came from source characters from
/// `source` on: one each when `linear`, else all from that one character.
#[derive(Clone, Copy)]
struct Run {
    /// The first folded byte of the run.
    folded: u32,
    /// The source character of that byte.
    source: u32,
    /// One folded byte per source character (else every byte from the one character).
    linear: bool,
}

impl Folded {
    /// The index of the source character that byte `byte` of the folded text came from.
    pub fn source(&self, byte: usize) -> usize {
        let i = self.runs.partition_point(|r| r.folded as usize <= byte);
        Run::source_of(self.runs[i - 1], byte)
    }

    /// A reader of [`Folded::source`] for bytes asked in increasing order, in amortised
    /// constant time (a byte asked out of order is found by binary search).
    pub fn sources(&self) -> impl FnMut(usize) -> usize + '_ {
        let mut i = 0;
        move |byte| {
            while self
                .runs
                .get(i + 1)
                .is_some_and(|r| r.folded as usize <= byte)
            {
                i += 1;
            }
            if (self.runs[i].folded as usize) > byte {
                i = self.runs.partition_point(|r| r.folded as usize <= byte) - 1;
            }
            Run::source_of(self.runs[i], byte)
        }
    }
}

impl Run {
    /// The source character of folded byte `byte`, which lies in `run`.
    fn source_of(run: Run, byte: usize) -> usize {
        let source = run.source as usize;
        if run.linear {
            source + (byte - run.folded as usize)
        } else {
            source
        }
    }
}

/// What an ASCII character folds to: letters and digits lower-cased, anything else a space
/// (apostrophes, which fold to nothing, are read apart).
const FOLD_ASCII: [u8; 128] = {
    let mut table = [b' '; 128];
    let mut byte = 0;
    while byte < 128 {
        if (byte as u8).is_ascii_alphanumeric() {
            table[byte] = (byte as u8).to_ascii_lowercase();
        }
        byte += 1;
    }
    table
};

/// A folded text being built: its bytes and the runs that map them to the source.
#[derive(Default)]
struct FoldedBuilder {
    /// The folded text so far (UTF-8: ASCII bytes and whole folded pieces).
    bytes: Vec<u8>,
    /// The runs that map those bytes to source characters.
    runs: Vec<Run>,
}

impl FoldedBuilder {
    /// Records that the folded bytes about to be appended came from source character
    /// `source` on: one byte per character when `linear`.
    fn note(&mut self, linear: bool, source: u32) {
        let folded = self.bytes.len() as u32;
        let continues = self
            .runs
            .last()
            .is_some_and(|r| r.linear && linear && r.source + (folded - r.folded) == source);
        if !continues {
            self.runs.push(Run {
                folded,
                source,
                linear,
            });
        }
    }

    /// Appends what source character `source` folds to.
    fn push(&mut self, piece: &str, source: u32) {
        if !piece.is_empty() {
            self.note(piece.len() == 1, source);
            self.bytes.extend_from_slice(piece.as_bytes());
        }
    }
}

/// Folds text character by character so that matches map back to the input.
pub(crate) fn fold_with_offsets(text: &str) -> Folded {
    let mut out = FoldedBuilder {
        bytes: Vec::with_capacity(text.len()),
        runs: Vec::new(),
    };
    let mut buffer = [0u8; 4];
    let bytes = text.as_bytes();
    let is_quote = |b: u8| b == b'\'' || b == b'`';
    // Byte offset and character index of the character at hand.
    let (mut at, mut index) = (0, 0u32);
    while at < bytes.len() {
        // ASCII, most of any English text, folds byte for byte: a run of it at once.
        let run = bytes[at..]
            .iter()
            .take_while(|&&b| b.is_ascii() && !is_quote(b))
            .count();
        if run > 0 {
            out.note(true, index);
            out.bytes.extend(
                bytes[at..at + run]
                    .iter()
                    .map(|&b| FOLD_ASCII[usize::from(b)]),
            );
            at += run;
            index += run as u32;
            continue;
        }
        let c = text[at..].chars().next().expect("a character starts here");
        at += c.len_utf8();
        index += 1;
        if is_apostrophe(c) {
            // A possessive "'s" ends the name: "Afghanistan's" is a mention of Afghanistan.
            let possessive = matches!(bytes.get(at), Some(b's' | b'S'))
                && text[at + 1..]
                    .chars()
                    .next()
                    .is_none_or(|next| !next.is_alphanumeric());
            if possessive {
                out.push(" ", index);
                at += 1;
                index += 1;
            }
        } else if c.is_alphanumeric() {
            out.push(fold(c.encode_utf8(&mut buffer)).as_str(), index - 1);
        } else {
            out.push(" ", index - 1);
        }
    }
    Folded {
        text: String::from_utf8(out.bytes).expect("folded text is UTF-8"),
        runs: out.runs,
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '`' | '‘' | '’' | 'ʻ' | 'ʼ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_wrapped_at_a_fixed_width_continues_its_sentence() {
        let wrapped = "Border guards exchanged fire with smugglers near the Panj\n\
                       River on Sunday, officials in Dushanbe said, adding that two of\n\
                       the men were detained. The others fled back across the river\n\
                       into Afghanistan.";
        let s = sentences(wrapped);
        assert_eq!(s.len(), 2, "{s:?}");
        assert!(s[0].text.contains("the Panj\nRiver on Sunday"));
        assert_eq!(
            s[1].text,
            "The others fled back across the river\ninto Afghanistan."
        );
        // A lower-case line goes on the sentence of a short paragraph too.
        assert_eq!(sentences("Two killed near the\nborder on Sunday.").len(), 1);
    }

    #[test]
    fn headlines_datelines_and_short_lines_stay_apart() {
        let article = "Clashes on the Panj\nDUSHANBE, May 3 (Asia-Plus) - Guards said so.\n\n\
                       By A. Reporter\nKhorog";
        let texts: Vec<String> = sentences(article).into_iter().map(|s| s.text).collect();
        assert_eq!(
            texts,
            [
                "Clashes on the Panj",
                "DUSHANBE, May 3 (Asia-Plus) - Guards said so.",
                "By A. Reporter",
                "Khorog"
            ]
        );
    }

    #[test]
    fn sentences_keep_character_offsets() {
        let text = "Тоҷикистон. Qal‘ah-ye Zal lies near. Third one here";
        for s in sentences(text) {
            let slice: String = text.chars().skip(s.start).take(s.end - s.start).collect();
            assert_eq!(slice, s.text);
        }
    }

    #[test]
    fn folded_bytes_map_to_source_characters() {
        let f = fold_with_offsets("Дарвоз, Qal‘ah");
        assert!(f.text.starts_with("darvoz"));
        let q = f.text.find("qalah").unwrap();
        assert_eq!(f.source(q), 8);
    }

    #[test]
    fn a_possessive_ends_the_name() {
        let f = fold_with_offsets("Tajikistan's GBAO and Qal'ah");
        assert!(f.text.starts_with("tajikistan  gbao"), "{}", f.text);
        assert!(f.text.ends_with("qalah"), "{}", f.text);
    }
}
