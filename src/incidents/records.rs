//! Splitting CSV text into records, as the `csv` crate does but faster for the usual record.
//!
//! Most records of an incident table are plain fields and quoted ones that end at a delimiter
//! or a line break; those are split here with [`Scan`]'s masks, each field kept as a run of the input
//! (no copy) unless doubled quotes must be undone. Any other record (text after a closing
//! quote, a quote left open at the end) is handed to `csv_core`, so the fields are always
//! those the `csv` crate reads (a differential property test checks it). Line breaks are
//! counted on the way, so the line of each record comes without a second scan.

use csv::ByteRecord;

use super::scan::Scan;

/// Where one field's text is: a run of the input, or of [`Records::scratch`].
#[derive(Debug, Clone, Copy)]
struct Span {
    /// The first byte.
    start: usize,
    /// The end.
    end: usize,
    /// Whether the text is in the scratch buffer rather than the input.
    copied: bool,
}

/// Reads the records of `bytes` one by one; the fields of the record last read are kept.
pub(super) struct Records<'b> {
    bytes: &'b [u8],
    delimiter: u8,
    at: usize,
    /// Where the record last read starts.
    start: usize,
    /// The fields of the record last read.
    spans: Vec<Span>,
    /// The texts of fields that are no run of the input (doubled quotes undone), end to end.
    scratch: Vec<u8>,
    /// Line breaks before the record last read.
    breaks: u64,
    /// Line breaks in the record last read, its terminator included.
    record_breaks: u64,
    /// A record read by `csv_core`.
    fallback: ByteRecord,
    /// Finds the ends of fields and the quotes in `bytes`.
    scan: Scan,
}

impl<'b> Records<'b> {
    pub(super) fn new(bytes: &'b [u8], delimiter: u8) -> Records<'b> {
        Records {
            bytes,
            delimiter,
            at: 0,
            start: 0,
            spans: Vec::new(),
            scratch: Vec::new(),
            breaks: 0,
            record_breaks: 0,
            fallback: ByteRecord::new(),
            scan: Scan::new(bytes, delimiter),
        }
    }

    /// Reads the next record and returns where it starts, or None at the end. Empty lines
    /// are skipped, as the `csv` crate skips them.
    pub(super) fn next_record(&mut self) -> Option<usize> {
        let bytes = self.bytes;
        self.breaks += self.record_breaks;
        self.record_breaks = 0;
        while self.at < bytes.len() && matches!(bytes[self.at], b'\n' | b'\r') {
            self.breaks += u64::from(bytes[self.at] == b'\n');
            self.at += 1;
        }
        if self.at == bytes.len() {
            return None;
        }
        let start = self.at;
        self.start = start;
        self.at = match self.split(start) {
            Some(next) => next,
            None => self.split_by_csv_core(start),
        };
        Some(start)
    }

    /// The line breaks before the record last read: its line, counted from the first.
    pub(super) fn breaks(&self) -> u64 {
        self.breaks
    }

    /// The number of fields of the record last read.
    pub(super) fn len(&self) -> usize {
        self.spans.len()
    }

    /// The text of field `i` of the record last read.
    pub(super) fn field(&self, i: usize) -> &[u8] {
        let span = self.spans[i];
        let from = if span.copied {
            &self.scratch
        } else {
            self.bytes
        };
        &from[span.start..span.end]
    }

    /// The texts of the fields of the record last read.
    pub(super) fn fields(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.field(i))
    }

    /// The fields of the record last read as text, each through `each`, into `texts`
    /// (emptied first); Err with the first field that is not UTF-8. The record's bytes are
    /// checked at once: the fields of valid text are runs of it, or runs with quotes taken
    /// out, so valid too.
    pub(super) fn texts<'s>(
        &'s self,
        each: impl Fn(&'s str) -> &'s str,
        texts: &mut Vec<&'s str>,
    ) -> Result<(), usize> {
        let raw = std::str::from_utf8(&self.bytes[self.start..self.at]).ok();
        texts.clear();
        texts.reserve(self.spans.len());
        for (i, span) in self.spans.iter().enumerate() {
            let text = match (raw, span.copied) {
                (Some(raw), false) => &raw[span.start - self.start..span.end - self.start],
                _ => std::str::from_utf8(self.field(i)).map_err(|_| i)?,
            };
            texts.push(each(text));
        }
        Ok(())
    }

    /// The usual record starting at `at`; None when it needs the full state machine.
    fn split(&mut self, mut at: usize) -> Option<usize> {
        let (bytes, delimiter) = (self.bytes, self.delimiter);
        self.spans.clear();
        self.scratch.clear();
        let mut breaks = 0;
        loop {
            let end = if bytes.get(at) == Some(&b'"') {
                let quoted = self.quoted(at + 1)?;
                self.spans.push(quoted.span);
                breaks += quoted.breaks;
                quoted.end
            } else {
                let field_end = self.scan.next_end(at).unwrap_or(bytes.len());
                self.spans.push(Span {
                    start: at,
                    end: field_end,
                    copied: false,
                });
                field_end
            };
            let next = match bytes.get(end) {
                None => end,
                Some(&b) if b == delimiter => {
                    at = end + 1;
                    continue;
                }
                Some(b'\n') => {
                    breaks += 1;
                    end + 1
                }
                Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => {
                    breaks += 1;
                    end + 2
                }
                Some(b'\r') => end + 1,
                // Text after a closing quote.
                Some(_) => return None,
            };
            self.record_breaks = breaks;
            return Some(next);
        }
    }

    /// The quoted field whose text starts at `start` (past the opening quote); None when the
    /// quote is never closed.
    fn quoted(&mut self, start: usize) -> Option<Quoted> {
        let bytes = self.bytes;
        // `copied_from`: where the field starts in the scratch buffer, once a doubled quote
        // made it a copy; `run`: the start of the text not yet copied.
        let (mut at, mut run, mut breaks) = (start, start, 0);
        let mut copied_from = None;
        loop {
            let hit = self.scan.next_quote(at)?;
            at = hit + 1;
            if bytes[hit] == b'\n' {
                breaks += 1;
                continue;
            }
            if bytes.get(at) != Some(&b'"') {
                let span = match copied_from {
                    None => Span {
                        start,
                        end: hit,
                        copied: false,
                    },
                    Some(from) => {
                        self.scratch.extend_from_slice(&bytes[run..hit]);
                        Span {
                            start: from,
                            end: self.scratch.len(),
                            copied: true,
                        }
                    }
                };
                return Some(Quoted {
                    span,
                    end: at,
                    breaks,
                });
            }
            // A doubled quote: one quote of the two is kept, in a copy of the text.
            copied_from.get_or_insert(self.scratch.len());
            self.scratch.extend_from_slice(&bytes[run..at]);
            at += 1;
            run = at;
        }
    }

    /// The record starting at `at` read by the `csv` crate itself.
    fn split_by_csv_core(&mut self, at: usize) -> usize {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.bytes[at..]);
        let next = match reader.read_byte_record(&mut self.fallback) {
            Ok(true) => at + reader.position().byte() as usize,
            // Only I/O fails, and a slice does not.
            _ => self.bytes.len(),
        };
        self.spans.clear();
        self.scratch.clear();
        for field in &self.fallback {
            let start = self.scratch.len();
            self.scratch.extend_from_slice(field);
            self.spans.push(Span {
                start,
                end: self.scratch.len(),
                copied: true,
            });
        }
        self.record_breaks = memchr::memchr_iter(b'\n', &self.bytes[at..next]).count() as u64;
        next
    }
}

/// A quoted field read by [`Records::quoted`].
struct Quoted {
    /// Its text.
    span: Span,
    /// Where it ends in the input, past the closing quote.
    end: usize,
    /// The line breaks in it.
    breaks: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records as the `csv` crate reads them: start (past any line breaks) and fields.
    fn by_csv(bytes: &[u8], delimiter: u8) -> Vec<(usize, Vec<Vec<u8>>)> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut out = Vec::new();
        let mut record = ByteRecord::new();
        while let Ok(true) = reader.read_byte_record(&mut record) {
            let mut start = record.position().map_or(0, |p| p.byte() as usize);
            while matches!(bytes.get(start), Some(b'\n' | b'\r')) {
                start += 1;
            }
            out.push((start, record.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// The records as we read them; the line breaks counted before each are checked
    /// against a count of the bytes.
    fn by_us(bytes: &[u8], delimiter: u8) -> Vec<(usize, Vec<Vec<u8>>)> {
        let mut records = Records::new(bytes, delimiter);
        let mut out = Vec::new();
        while let Some(start) = records.next_record() {
            let breaks = bytes[..start].iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(records.breaks(), breaks, "{start}");
            let fields: Vec<Vec<u8>> = records.fields().map(<[u8]>::to_vec).collect();
            let texts = fields
                .iter()
                .map(|f| std::str::from_utf8(f))
                .collect::<Result<Vec<_>, _>>();
            let first_bad = fields.iter().position(|f| std::str::from_utf8(f).is_err());
            let mut ours = vec!["left from before"];
            let result = records.texts(|t| t, &mut ours).map(|()| ours);
            assert_eq!(result.map_err(Some), texts.map_err(|_| first_bad));
            out.push((start, fields));
        }
        out
    }

    #[test]
    fn usual_and_unusual_records_split_as_the_csv_crate_splits_them() {
        for text in [
            "a,b,c\n1,2,3\n",
            "a,\"b,c\",d\r\n\"x\"\"y\",,\n",
            "\n\n a , b \r\r\nlast,\"open",
            "\"ab\"cd,e\nq\"uote,f\n",
            "x,\n,\n\"\"\n\"\",\"\"",
            "only",
            "\"multi\nline\",2\n3,4",
            "\"a\"\"b\nc\"\"\",\"\"\"\"\n\"x\ny\"z,w\n\n\r\nend",
        ] {
            assert_eq!(
                by_us(text.as_bytes(), b','),
                by_csv(text.as_bytes(), b','),
                "{text:?}"
            );
        }
        let bytes = b"a,\xff\n\"\xc3\"\xa9,b\n\"x\"\"\xff\",c\n\xc3\xa9,\"\xc3\xa9\"\n";
        assert_eq!(by_us(bytes, b','), by_csv(bytes, b','));
        let text = "a;b\n\"c;d\";e\n";
        assert_eq!(by_us(text.as_bytes(), b';'), by_csv(text.as_bytes(), b';'));
    }

    proptest::proptest! {
        #[test]
        fn any_text_splits_as_the_csv_crate_splits_it(
            text in proptest::collection::vec(
                proptest::sample::select(b"ab ,;\"\"\n\r\t\xc3\xa9".to_vec()),
                0..80,
            ),
            delimiter in proptest::sample::select(b",;\t".to_vec()),
        ) {
            proptest::prop_assert_eq!(by_us(&text, delimiter), by_csv(&text, delimiter));
        }
    }
}
