//! Splitting CSV text into records, as the `csv` crate does but faster for the usual record.
//!
//! Most records of an incident table are plain fields and quoted ones that end at a delimiter
//! or a line break; those are split here with `memchr` over the quoted text. Any other record
//! (text after a closing quote, a quote left open at the end) is handed to `csv_core`, so the
//! fields are always those the `csv` crate reads (a differential property test checks it).

use csv::ByteRecord;

/// Reads the records of `bytes` one by one into a reused [`ByteRecord`].
pub(super) struct Records<'b> {
    bytes: &'b [u8],
    delimiter: u8,
    at: usize,
    /// A quoted field with its doubled quotes undone.
    unquoted: Vec<u8>,
}

impl<'b> Records<'b> {
    pub(super) fn new(bytes: &'b [u8], delimiter: u8) -> Records<'b> {
        Records {
            bytes,
            delimiter,
            at: 0,
            unquoted: Vec::new(),
        }
    }

    /// Reads the next record into `record` and returns where it starts, or None at the end.
    /// Empty lines are skipped, as the `csv` crate skips them.
    pub(super) fn next_into(&mut self, record: &mut ByteRecord) -> Option<usize> {
        let bytes = self.bytes;
        while self.at < bytes.len() && matches!(bytes[self.at], b'\n' | b'\r') {
            self.at += 1;
        }
        if self.at == bytes.len() {
            return None;
        }
        let start = self.at;
        self.at = match self.split(start, record) {
            Some(next) => next,
            None => self.split_by_csv_core(start, record),
        };
        Some(start)
    }

    /// The usual record starting at `at`; None when it needs the full state machine.
    fn split(&mut self, mut at: usize, record: &mut ByteRecord) -> Option<usize> {
        let (bytes, delimiter) = (self.bytes, self.delimiter);
        record.clear();
        loop {
            let end = if bytes.get(at) == Some(&b'"') {
                self.unquoted.clear();
                at += 1;
                loop {
                    let quote = at + memchr::memchr(b'"', &bytes[at..])?;
                    self.unquoted.extend_from_slice(&bytes[at..quote]);
                    at = quote + 1;
                    if bytes.get(at) != Some(&b'"') {
                        break;
                    }
                    self.unquoted.push(b'"');
                    at += 1;
                }
                record.push_field(&self.unquoted);
                at
            } else {
                let field_end = memchr::memchr3(delimiter, b'\n', b'\r', &bytes[at..])
                    .map_or(bytes.len(), |i| at + i);
                record.push_field(&bytes[at..field_end]);
                field_end
            };
            match bytes.get(end) {
                None => return Some(end),
                Some(&b) if b == delimiter => at = end + 1,
                Some(b'\n') => return Some(end + 1),
                Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => return Some(end + 2),
                Some(b'\r') => return Some(end + 1),
                // Text after a closing quote.
                Some(_) => return None,
            }
        }
    }

    /// The record starting at `at` read by the `csv` crate itself.
    fn split_by_csv_core(&mut self, at: usize, record: &mut ByteRecord) -> usize {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(&self.bytes[at..]);
        match reader.read_byte_record(record) {
            Ok(true) => at + reader.position().byte() as usize,
            // Only I/O fails, and a slice does not.
            _ => self.bytes.len(),
        }
    }
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

    fn by_us(bytes: &[u8], delimiter: u8) -> Vec<(usize, Vec<Vec<u8>>)> {
        let mut records = Records::new(bytes, delimiter);
        let mut record = ByteRecord::new();
        let mut out = Vec::new();
        while let Some(start) = records.next_into(&mut record) {
            out.push((start, record.iter().map(<[u8]>::to_vec).collect()));
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
        ] {
            assert_eq!(
                by_us(text.as_bytes(), b','),
                by_csv(text.as_bytes(), b','),
                "{text:?}"
            );
        }
        let text = "a;b\n\"c;d\";e\n";
        assert_eq!(by_us(text.as_bytes(), b';'), by_csv(text.as_bytes(), b';'));
    }

    proptest::proptest! {
        #[test]
        fn any_text_splits_as_the_csv_crate_splits_it(
            text in proptest::collection::vec(
                proptest::sample::select(b"ab ,;\"\"\n\r\t".to_vec()),
                0..80,
            ),
            delimiter in proptest::sample::select(b",;\t".to_vec()),
        ) {
            proptest::prop_assert_eq!(by_us(&text, delimiter), by_csv(&text, delimiter));
        }
    }
}
