//! Content sniffing and client file-name hygiene for uploaded documents.
//!
//! The declared Content-Type of an upload is never trusted on its own: the
//! stored kind comes from [`sniff`], which looks at the bytes.

use std::fmt;

use crate::percent;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Doc,
    Docx,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Doc => "application/msword",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Png => "png",
            FileKind::Jpeg => "jpg",
            FileKind::Gif => "gif",
            FileKind::Doc => "doc",
            FileKind::Docx => "docx",
        }
    }

    /// Maps a client-declared MIME type to a kind. Case-insensitive;
    /// parameters such as `;charset=...` are ignored. `image/jpg` and
    /// `image/pjpeg` are accepted because real clients still send them.
    pub fn from_declared(mime: &str) -> Option<FileKind> {
        let essence = mime.split(';').next().unwrap_or("").trim();
        let known = [
            ("application/pdf", FileKind::Pdf),
            ("image/png", FileKind::Png),
            ("image/jpeg", FileKind::Jpeg),
            ("image/jpg", FileKind::Jpeg),
            ("image/pjpeg", FileKind::Jpeg),
            ("image/gif", FileKind::Gif),
            ("application/msword", FileKind::Doc),
            (FileKind::Docx.mime(), FileKind::Docx),
        ];
        known
            .iter()
            .find(|(m, _)| m.eq_ignore_ascii_case(essence))
            .map(|&(_, k)| k)
    }

    /// Kinds the analysis pipeline can read.
    pub fn analysable(self) -> bool {
        matches!(self, FileKind::Pdf | FileKind::Png | FileKind::Jpeg)
    }

    /// Whether a browser should display the file rather than download it.
    /// Word files are downloaded: browsers cannot render them.
    pub fn inline(self) -> bool {
        !matches!(self, FileKind::Doc | FileKind::Docx)
    }
}

/// How many leading bytes [`sniff`] wants (fewer only if the file is shorter).
pub const HEAD_BYTES: usize = 8192;
/// How many trailing bytes [`sniff`] wants: the largest possible EOCD search
/// window (22-byte record + 65,535-byte comment) plus some central directory.
pub const TAIL_BYTES: usize = 65_557 + 1024;

const PDF_WINDOW: usize = 1024;
pub(crate) const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = b"\xFF\xD8\xFF";
pub(crate) const OLE2_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
pub(crate) const ZIP_LOCAL: &[u8] = b"PK\x03\x04";
pub(crate) const ZIP_CENTRAL: &[u8] = b"PK\x01\x02";
pub(crate) const ZIP_EOCD: &[u8] = b"PK\x05\x06";

/// What the bytes are.
///
/// `head` = the first bytes of the file (at least `min(len, HEAD_BYTES)`);
/// `tail` = the last `min(len, TAIL_BYTES)` bytes (for ZIP's central
/// directory); when the file is small both may be the whole file.
/// `total_len` is the full file length, used to place `tail` in the file.
///
/// Never panics, whatever the (possibly inconsistent) arguments.
pub fn sniff(head: &[u8], tail: &[u8], total_len: u64) -> Option<FileKind> {
    // Fixed magic numbers at offset 0 first; PDF last because its marker may
    // float within the first KiB (some producers prepend junk).
    if head.starts_with(PNG_MAGIC) {
        return Some(FileKind::Png);
    }
    if head.starts_with(JPEG_MAGIC) {
        return Some(FileKind::Jpeg);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some(FileKind::Gif);
    }
    let window = Window::new(head, tail, total_len);
    if head.starts_with(OLE2_MAGIC) {
        return is_word_ole(&window).then_some(FileKind::Doc);
    }
    if head.starts_with(ZIP_LOCAL) {
        return is_docx(&window).then_some(FileKind::Docx);
    }
    if find(&head[..head.len().min(PDF_WINDOW)], b"%PDF-").is_some() {
        return Some(FileKind::Pdf);
    }
    None
}

/// The parts of the file we were given, addressable by file offset.
struct Window<'a> {
    head: &'a [u8],
    tail: &'a [u8],
    tail_start: u64,
    total_len: u64,
}

impl<'a> Window<'a> {
    fn new(head: &'a [u8], tail: &'a [u8], total_len: u64) -> Self {
        let tail_start = total_len.saturating_sub(tail.len() as u64);
        Window {
            head,
            tail,
            tail_start,
            total_len,
        }
    }

    /// `len` bytes at file offset `offset`, if wholly inside head or tail.
    fn slice(&self, offset: u64, len: u64) -> Option<&'a [u8]> {
        let end = offset.checked_add(len)?;
        if end <= self.head.len() as u64 {
            return self.head.get(offset as usize..end as usize);
        }
        if offset >= self.tail_start && end <= self.total_len {
            let start = usize::try_from(offset - self.tail_start).ok()?;
            let stop = usize::try_from(end - self.tail_start).ok()?;
            return self.tail.get(start..stop);
        }
        None
    }
}

fn read_u16(buf: &[u8], at: usize) -> Option<u16> {
    let b = buf.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn read_u32(buf: &[u8], at: usize) -> Option<u32> {
    let b = buf.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------- OLE2 / DOC

/// Sector numbers above this are markers (free, end of chain, FAT, ...).
const OLE_MAX_REG_SECT: u32 = 0xFFFF_FFFA;
const OLE_DIR_ENTRY: usize = 128;
const OLE_STREAM: u8 = 2;
/// Entries of the header's DIFAT array (FAT sector numbers), at 0x4C.
const OLE_HEADER_DIFAT: u32 = 109;
/// Guards against directory chains that loop.
const OLE_MAX_DIR_SECTORS: usize = 64;

const WORD_DOCUMENT: &str = "WordDocument";

enum DirScan {
    Found,
    Absent,
    /// A directory sector we need is outside head and tail.
    Unavailable,
}

/// An OLE2 compound file is a Word 97-2003 document iff its directory has a
/// "WordDocument" stream; XLS ("Workbook"), MSG etc. share the container.
fn is_word_ole(w: &Window) -> bool {
    let Some(shift) = read_u16(w.head, 0x1E) else {
        return false;
    };
    // Versions 3 and 4 only define 512- and 4096-byte sectors.
    if shift != 9 && shift != 12 {
        return false;
    }
    let Some(first_dir) = read_u32(w.head, 0x30) else {
        return false;
    };
    match scan_ole_directory(w, 1u64 << shift, first_dir) {
        DirScan::Found => true,
        DirScan::Absent => false,
        // Directory out of reach (big file, directory in the middle): accept
        // the UTF-16LE name anywhere in head. Weaker than the directory walk
        // (the name could be in stream data), but the container is already
        // OLE2 and false refusals of real .doc files would be worse.
        DirScan::Unavailable => find(w.head, &utf16le(WORD_DOCUMENT)).is_some(),
    }
}

/// Walks the directory sector chain (through the FAT) looking for a stream
/// named "WordDocument".
fn scan_ole_directory(w: &Window, sector_size: u64, first: u32) -> DirScan {
    let wanted = utf16le(WORD_DOCUMENT);
    let mut sect = first;
    for _ in 0..OLE_MAX_DIR_SECTORS {
        if sect > OLE_MAX_REG_SECT {
            // End of chain (or a corrupt marker): every sector was read.
            return DirScan::Absent;
        }
        let offset = (u64::from(sect) + 1) * sector_size;
        if offset >= w.total_len {
            // Points past the end of the file: corrupt, refuse.
            return DirScan::Absent;
        }
        let Some(sector) = w.slice(offset, sector_size) else {
            return DirScan::Unavailable;
        };
        if sector
            .chunks_exact(OLE_DIR_ENTRY)
            .any(|entry| ole_entry_is(entry, &wanted))
        {
            return DirScan::Found;
        }
        match ole_next_sector(w, sector_size, sect) {
            Some(next) => sect = next,
            None => return DirScan::Unavailable,
        }
    }
    DirScan::Absent
}

fn ole_entry_is(entry: &[u8], wanted_utf16: &[u8]) -> bool {
    // Name length is in bytes and includes the UTF-16 NUL terminator.
    let Some(name_len) = read_u16(entry, 64) else {
        return false;
    };
    let name_len = usize::from(name_len);
    name_len == wanted_utf16.len() + 2
        && entry.get(..wanted_utf16.len()) == Some(wanted_utf16)
        && entry.get(66) == Some(&OLE_STREAM)
}

/// Follows the FAT for `sect`; only the 109 FAT sectors listed in the header
/// are reachable, which covers files up to ~7 MB with 512-byte sectors.
fn ole_next_sector(w: &Window, sector_size: u64, sect: u32) -> Option<u32> {
    let per_fat_sector = u32::try_from(sector_size / 4).ok()?;
    let fat_index = sect / per_fat_sector;
    if fat_index >= OLE_HEADER_DIFAT {
        return None;
    }
    let fat_sect = read_u32(w.head, 0x4C + 4 * fat_index as usize)?;
    if fat_sect > OLE_MAX_REG_SECT {
        return None;
    }
    let at = (u64::from(fat_sect) + 1) * sector_size + u64::from(sect % per_fat_sector) * 4;
    let b = w.slice(at, 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

pub(crate) fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

// ----------------------------------------------------------------- ZIP / DOCX

const ZIP_EOCD_LEN: usize = 22;
const ZIP_CENTRAL_LEN: usize = 46;
const ZIP_LOCAL_LEN: usize = 30;

/// A ZIP is a Word document iff it contains `word/document.xml`; XLSX, PPTX,
/// ODT and plain archives share the container.
fn is_docx(w: &Window) -> bool {
    match central_directory_has(w, b"word/document.xml") {
        Some(found) => found,
        // Central directory out of reach or unreadable: judge by the local
        // headers at the front. Word writes [Content_Types].xml and word/
        // parts early, so both must be seen.
        None => local_headers_look_like_word(w.head),
    }
}

/// `Some(listed)` if the central directory could be read, `None` otherwise.
fn central_directory_has(w: &Window, wanted: &[u8]) -> Option<bool> {
    let eocd = find_eocd(w.tail)?;
    let cd_size = read_u32(eocd, 12)?;
    let cd_offset = read_u32(eocd, 16)?;
    // ZIP64 uses 0xFFFFFFFF placeholders; slice() then simply fails.
    let cd = w.slice(u64::from(cd_offset), u64::from(cd_size))?;
    let mut p = 0usize;
    while p < cd.len() {
        let entry = cd.get(p..p.checked_add(ZIP_CENTRAL_LEN)?)?;
        if !entry.starts_with(ZIP_CENTRAL) {
            return None;
        }
        let name_len = usize::from(read_u16(entry, 28)?);
        let extra_len = usize::from(read_u16(entry, 30)?);
        let comment_len = usize::from(read_u16(entry, 32)?);
        let name_start = p + ZIP_CENTRAL_LEN;
        let name = cd.get(name_start..name_start + name_len)?;
        if name == wanted {
            return Some(true);
        }
        p = name_start + name_len + extra_len + comment_len;
    }
    Some(false)
}

/// The End Of Central Directory record, searched backwards because an
/// archive comment (up to 64 KiB) may follow it.
fn find_eocd(tail: &[u8]) -> Option<&[u8]> {
    let last = tail.len().checked_sub(ZIP_EOCD_LEN)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    (first..=last).rev().find_map(|pos| {
        let record = &tail[pos..];
        if !record.starts_with(ZIP_EOCD) {
            return None;
        }
        let comment_len = usize::from(read_u16(record, 20)?);
        (ZIP_EOCD_LEN + comment_len <= record.len()).then_some(record)
    })
}

/// Scans `head` for local file headers. Scanning for the signature rather
/// than hopping from header to header copes with data descriptors (sizes
/// zero in the local header); a stray signature inside compressed data would
/// also have to carry one of the two expected names, so it is harmless.
fn local_headers_look_like_word(head: &[u8]) -> bool {
    let mut has_word_part = false;
    let mut has_content_types = false;
    let mut from = 0;
    while let Some(rel) = head.get(from..).and_then(|h| find(h, ZIP_LOCAL)) {
        let at = from + rel;
        from = at + ZIP_LOCAL.len();
        let Some(name_len) = read_u16(head, at + 26) else {
            break;
        };
        let start = at + ZIP_LOCAL_LEN;
        let Some(name) = head.get(start..start + usize::from(name_len)) else {
            continue;
        };
        has_word_part |= name.starts_with(b"word/");
        has_content_types |= name == b"[Content_Types].xml";
        if has_word_part && has_content_types {
            return true;
        }
    }
    false
}

// ----------------------------------------------------------------- file names

pub const MAX_FILE_NAME_CHARS: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileNameError {
    TooLong { chars: usize },
}

impl fmt::Display for FileNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileNameError::TooLong { chars } => write!(
                f,
                "Ensure this filename has at most {MAX_FILE_NAME_CHARS} characters (it has {chars})."
            ),
        }
    }
}

impl std::error::Error for FileNameError {}

/// Characters that are invisible or reorder text: they let a name such as
/// "invoice\u{202E}fdp.exe" display as "invoiceexe.pdf".
fn is_dropped(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c,
            '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{200B}'..='\u{200D}'
            | '\u{FEFF}')
}

/// Cleans a client-supplied file name: keep what follows the last '/' or
/// '\\'; drop control chars (C0, DEL, C1), bidi controls (U+202A–U+202E,
/// U+2066–U+2069, U+200E, U+200F) and zero-width chars (U+200B–U+200D,
/// U+FEFF); collapse whitespace runs to one space; trim spaces and dots at
/// both ends; an empty result becomes "document.<ext>" of `kind`. Length is
/// counted in chars on the cleaned name; over 100 → `Err(TooLong)`.
///
/// Control characters are dropped, not turned into spaces, so "a\tb" becomes
/// "ab".
pub fn clean_file_name(raw: &str, kind: FileKind) -> Result<String, FileNameError> {
    // Both separators: Windows clients (and old IE) send full paths.
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let mut cleaned = String::with_capacity(base.len());
    let mut pending_space = false;
    for c in base.chars() {
        if is_dropped(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !cleaned.is_empty() {
            cleaned.push(' ');
        }
        pending_space = false;
        cleaned.push(c);
    }
    // Leading/trailing dots would make hidden files or "..".
    let trimmed = cleaned.trim_matches([' ', '.']);
    if trimmed.is_empty() {
        return Ok(format!("document.{}", kind.extension()));
    }
    let chars = trimmed.chars().count();
    if chars > MAX_FILE_NAME_CHARS {
        return Err(FileNameError::TooLong { chars });
    }
    Ok(trimmed.to_string())
}

/// RFC 5987 attr-char.
fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

/// A Content-Disposition value for a presigned download: `inline` or
/// `attachment` per `kind.inline()`, an ASCII `filename` fallback for old
/// clients and the exact name in `filename*` (RFC 6266 / RFC 5987).
///
/// The fallback replaces non-ASCII, `"`, `\` and also ASCII control
/// characters with `_`, so no input can break out of the header.
pub fn content_disposition(file_name: &str, kind: FileKind) -> String {
    let disposition = if kind.inline() {
        "inline"
    } else {
        "attachment"
    };
    let fallback: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent::encode(file_name, is_attr_char);
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::file_samples::*;

    // ------------------------------------------------------------ helpers

    /// Deterministic xorshift64 so fuzz failures reproduce.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next() as u8).collect()
        }
    }

    /// Sniffs a whole in-memory file the way the caller will.
    fn sniff_all(file: &[u8]) -> Option<FileKind> {
        let head = &file[..file.len().min(HEAD_BYTES)];
        let tail = &file[file.len().saturating_sub(TAIL_BYTES)..];
        sniff(head, tail, file.len() as u64)
    }

    fn samples() -> Vec<Vec<u8>> {
        vec![
            pdf(),
            png(),
            b"\xFF\xD8\xFF\xE0\0\x10JFIF\0".to_vec(),
            b"GIF89a\x01\0\x01\0".to_vec(),
            doc(),
            ole2(&["Workbook"], 0),
            ole2(&["A", "B", "C", "D", "E", "WordDocument"], 0),
            docx(),
            xlsx(),
            odt(),
            plain_zip(),
        ]
    }

    // ---------------------------------------------------------- FileKind

    const ALL: [FileKind; 6] = [
        FileKind::Pdf,
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Gif,
        FileKind::Doc,
        FileKind::Docx,
    ];

    #[test]
    fn mime_and_extension() {
        let expected = [
            ("application/pdf", "pdf"),
            ("image/png", "png"),
            ("image/jpeg", "jpg"),
            ("image/gif", "gif"),
            ("application/msword", "doc"),
            (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx",
            ),
        ];
        for (kind, (mime, ext)) in ALL.iter().zip(expected) {
            assert_eq!(kind.mime(), mime);
            assert_eq!(kind.extension(), ext);
            assert_eq!(FileKind::from_declared(mime), Some(*kind));
        }
    }

    #[test]
    fn from_declared_is_lenient_about_form() {
        assert_eq!(
            FileKind::from_declared("Application/PDF"),
            Some(FileKind::Pdf)
        );
        assert_eq!(
            FileKind::from_declared(" application/pdf ; charset=binary"),
            Some(FileKind::Pdf)
        );
        assert_eq!(FileKind::from_declared("image/jpg"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::from_declared("IMAGE/PJPEG"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::from_declared("image/webp"), None);
        assert_eq!(FileKind::from_declared("application/zip"), None);
        assert_eq!(FileKind::from_declared(""), None);
        assert_eq!(FileKind::from_declared("application/pdfx"), None);
    }

    #[test]
    fn analysable_and_inline() {
        let analysable: Vec<_> = ALL.iter().filter(|k| k.analysable()).collect();
        assert_eq!(
            analysable,
            [&FileKind::Pdf, &FileKind::Png, &FileKind::Jpeg]
        );
        let downloaded: Vec<_> = ALL.iter().filter(|k| !k.inline()).collect();
        assert_eq!(downloaded, [&FileKind::Doc, &FileKind::Docx]);
    }

    // ------------------------------------------------------------- sniff

    #[test]
    fn sniffs_simple_magic() {
        assert_eq!(sniff_all(&pdf()), Some(FileKind::Pdf));
        assert_eq!(sniff_all(&png()), Some(FileKind::Png));
        assert_eq!(sniff_all(b"\xFF\xD8\xFF\xDB"), Some(FileKind::Jpeg));
        assert_eq!(sniff_all(b"GIF87a...."), Some(FileKind::Gif));
        assert_eq!(sniff_all(b"GIF89a"), Some(FileKind::Gif));
        assert_eq!(sniff_all(b"GIF88a"), None);
        assert_eq!(sniff_all(b"\xFF\xD8"), None);
        assert_eq!(sniff_all(&PNG_MAGIC[..7]), None);
        assert_eq!(sniff_all(b""), None);
        assert_eq!(sniff_all(b"hello world"), None);
        assert_eq!(sniff_all(b"<html><body>%PDF"), None);
    }

    #[test]
    fn pdf_marker_must_be_in_first_kib() {
        let mut junk = vec![b' '; 1019];
        junk.extend(b"%PDF-1.4");
        assert_eq!(sniff_all(&junk), Some(FileKind::Pdf)); // ends at 1024
        let mut late = vec![b' '; 1020];
        late.extend(b"%PDF-1.4");
        assert_eq!(sniff_all(&late), None);
    }

    #[test]
    fn doc_needs_word_document_stream() {
        assert_eq!(sniff_all(&doc()), Some(FileKind::Doc));
        // XLS and other OLE2 containers are refused.
        assert_eq!(sniff_all(&ole2(&["Workbook"], 0)), None);
        assert_eq!(sniff_all(&ole2(&[], 0)), None);
        assert_eq!(sniff_all(&ole2(&["WordDocumentX"], 0)), None);
        assert_eq!(sniff_all(&ole2(&["WordDocumen"], 0)), None);
    }

    #[test]
    fn doc_entry_must_be_a_stream() {
        let mut file = doc();
        // Entry 2 ("WordDocument") of the directory at sector 1.
        file[1024 + 2 * 128 + 66] = 1; // storage, not stream
        assert_eq!(sniff_all(&file), None);
    }

    #[test]
    fn doc_directory_chain_is_followed() {
        // Six streams + root span two directory sectors; WordDocument is in
        // the second, reached through the FAT.
        let file = ole2(&["A", "B", "C", "D", "E", "WordDocument"], 0);
        assert_eq!(sniff_all(&file), Some(FileKind::Doc));
        let xls = ole2(&["A", "B", "C", "D", "E", "Workbook"], 0);
        assert_eq!(sniff_all(&xls), None);
    }

    #[test]
    fn doc_directory_in_tail_is_read() {
        // A directory far beyond the head but inside the tail.
        let file = ole2(&["WordDocument"], 40);
        assert!(file.len() > HEAD_BYTES * 2);
        assert_eq!(sniff_all(&file), Some(FileKind::Doc));
        let xls = ole2(&["Workbook"], 40);
        assert_eq!(sniff_all(&xls), None);
    }

    #[test]
    fn doc_directory_out_of_reach_falls_back_to_head_search() {
        let mut file = ole2(&["WordDocument"], 40);
        let len = file.len() as u64;
        // Directory neither in head nor in (an artificially short) tail.
        let tail = file[file.len() - 16..].to_vec();
        assert_eq!(sniff(&file[..HEAD_BYTES], &tail, len), None);
        // Name present somewhere in the head (e.g. in a stream) → accepted.
        let name = utf16le("WordDocument");
        file[3000..3000 + name.len()].copy_from_slice(&name);
        assert_eq!(sniff(&file[..HEAD_BYTES], &tail, len), Some(FileKind::Doc));
    }

    #[test]
    fn doc_with_corrupt_header_is_refused() {
        let mut bad_shift = doc();
        put_u16(&mut bad_shift, 0x1E, 10);
        assert_eq!(sniff_all(&bad_shift), None);

        let mut past_end = doc();
        put_u32(&mut past_end, 0x30, 1000);
        assert_eq!(sniff_all(&past_end), None);

        let mut marker = doc();
        put_u32(&mut marker, 0x30, END_OF_CHAIN);
        assert_eq!(sniff_all(&marker), None);

        // A FAT chain that loops onto itself must terminate.
        let mut looping = ole2(&["A", "B", "C", "D", "E", "Workbook"], 0);
        put_u32(&mut looping, 512 + 4, 1);
        assert_eq!(sniff_all(&looping), None);
    }

    #[test]
    fn docx_needs_word_document_xml_in_central_directory() {
        assert_eq!(sniff_all(&docx()), Some(FileKind::Docx));
        assert_eq!(sniff_all(&xlsx()), None);
        assert_eq!(sniff_all(&odt()), None);
        assert_eq!(sniff_all(&plain_zip()), None);
    }

    #[test]
    fn docx_with_archive_comment() {
        let mut file = docx();
        let len = file.len();
        put_u16(&mut file, len - 2, 5);
        file.extend(b"hello");
        assert_eq!(sniff_all(&file), Some(FileKind::Docx));
    }

    #[test]
    fn docx_with_word_document_far_from_head() {
        // word/document.xml after 100 KiB of media: only the central
        // directory (in the tail) proves it.
        let media = vec![0x55u8; 100 * 1024];
        let file = zip(&[
            ("[Content_Types].xml", XML),
            ("word/media/image1.png", &media),
            ("word/document.xml", XML),
        ]);
        assert_eq!(sniff_all(&file), Some(FileKind::Docx));

        let xlsx = zip(&[
            ("[Content_Types].xml", XML),
            ("xl/media/image1.png", &media),
            ("xl/workbook.xml", XML),
        ]);
        assert_eq!(sniff_all(&xlsx), None);
    }

    #[test]
    fn docx_fallback_to_local_headers() {
        for (file, expected) in [
            (docx(), Some(FileKind::Docx)),
            (xlsx(), None),
            (odt(), None),
            // word/ entries without [Content_Types].xml are not OOXML.
            (plain_zip(), None),
        ] {
            let len = file.len() as u64;
            // Tail holds only the EOCD: the central directory is out of reach.
            let tail = &file[file.len() - 22..];
            assert_eq!(sniff(&file, tail, len), expected);
            // No EOCD at all in the tail.
            assert_eq!(sniff(&file, &[], len), expected);
        }
    }

    #[test]
    fn docx_with_corrupt_central_directory_falls_back() {
        let mut file = docx();
        let len = file.len();
        // Point the central directory at the first local header instead.
        put_u32(&mut file, len - 6, 0);
        assert_eq!(sniff_all(&file), Some(FileKind::Docx));
        // Zip64 placeholders.
        put_u32(&mut file, len - 6, u32::MAX);
        put_u32(&mut file, len - 10, u32::MAX);
        assert_eq!(sniff_all(&file), Some(FileKind::Docx));
    }

    #[test]
    fn head_and_tail_may_overlap_or_be_inconsistent() {
        let file = docx();
        assert_eq!(sniff(&file, &file, file.len() as u64), Some(FileKind::Docx));
        // A tail longer than the claimed length must not panic.
        let _ = sniff(&file, &file, 3);
        let _ = sniff(&file, &file, 0);
        let _ = sniff(&file, &file, u64::MAX);
        let d = doc();
        let _ = sniff(&d, &d, 0);
        let _ = sniff(&d, &d, u64::MAX);
    }

    #[test]
    fn truncated_samples_never_panic() {
        for sample in samples() {
            for n in 0..=sample.len().min(600) {
                let prefix = &sample[..n];
                let _ = sniff(prefix, prefix, n as u64);
                let _ = sniff(prefix, &sample[sample.len() - n..], sample.len() as u64);
                let suffix = &sample[sample.len() - n..];
                let _ = sniff(
                    &sample[..HEAD_BYTES.min(sample.len())],
                    suffix,
                    sample.len() as u64,
                );
            }
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let prefixes: [&[u8]; 5] = [b"", OLE2_MAGIC, ZIP_LOCAL, b"%PDF-", PNG_MAGIC];
        for _ in 0..100_000 {
            let len = rng.below(1200);
            let mut buf = prefixes[rng.below(prefixes.len())].to_vec();
            buf.extend(rng.bytes(len));
            let total = match rng.below(3) {
                0 => buf.len() as u64,
                1 => rng.next() % 100_000,
                _ => rng.next(),
            };
            let split = rng.below(buf.len() + 1);
            let _ = sniff(&buf, &buf[split..], total);
            let _ = sniff(&buf[..split], &buf, buf.len() as u64);
        }
    }

    #[test]
    fn mutated_samples_never_panic() {
        let mut rng = XorShift(42);
        let samples = samples();
        for _ in 0..20_000 {
            let mut file = samples[rng.below(samples.len())].clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(file.len());
                // Overwrite a small field with extreme or random values.
                let value = match rng.below(3) {
                    0 => 0,
                    1 => u32::MAX,
                    _ => rng.next() as u32,
                };
                for (i, b) in value.to_le_bytes().iter().enumerate() {
                    if let Some(slot) = file.get_mut(at + i) {
                        *slot = *b;
                    }
                }
            }
            let _ = sniff_all(&file);
        }
    }

    // -------------------------------------------------------- file names

    fn clean(raw: &str) -> String {
        clean_file_name(raw, FileKind::Pdf).unwrap()
    }

    #[test]
    fn keeps_ordinary_names() {
        assert_eq!(clean("facture.pdf"), "facture.pdf");
        assert_eq!(
            clean("Relevé d'entretien 2024.pdf"),
            "Relevé d'entretien 2024.pdf"
        );
        assert_eq!(clean("車検証.pdf"), "車検証.pdf");
        assert_eq!(clean("a.b.c"), "a.b.c");
    }

    #[test]
    fn strips_paths() {
        assert_eq!(clean("C:\\Users\\me\\facture.pdf"), "facture.pdf");
        assert_eq!(clean("../../etc/passwd"), "passwd");
        assert_eq!(clean("/tmp/x/"), "document.pdf");
        assert_eq!(clean("..\\..\\boot.ini"), "boot.ini");
        assert_eq!(clean(".."), "document.pdf");
        assert_eq!(clean("a/b\\c/d.pdf"), "d.pdf");
    }

    #[test]
    fn drops_bidi_zero_width_and_control_chars() {
        assert_eq!(clean("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{200B}', '\u{200C}', '\u{200D}',
            '\u{FEFF}', '\0', '\u{1}', '\u{1F}', '\u{7F}', '\u{80}', '\u{9F}', '\t', '\n', '\r',
        ] {
            assert_eq!(clean(&format!("a{c}b.pdf")), "ab.pdf", "char {:?}", c);
        }
        assert_eq!(clean("\u{FEFF}\u{200B}"), "document.pdf");
    }

    #[test]
    fn collapses_whitespace_and_trims_dots_and_spaces() {
        assert_eq!(
            clean("  my   car \u{00A0}\u{3000} papers.pdf  "),
            "my car papers.pdf"
        );
        assert_eq!(clean("...hidden.pdf"), "hidden.pdf");
        assert_eq!(clean("name.pdf. . ."), "name.pdf");
        assert_eq!(clean(" . . "), "document.pdf");
        assert_eq!(clean("a \u{200B} b"), "a b");
    }

    #[test]
    fn empty_names_get_a_default_per_kind() {
        assert_eq!(clean_file_name("", FileKind::Pdf).unwrap(), "document.pdf");
        assert_eq!(clean_file_name("", FileKind::Jpeg).unwrap(), "document.jpg");
        assert_eq!(
            clean_file_name("   ", FileKind::Docx).unwrap(),
            "document.docx"
        );
        assert_eq!(
            clean_file_name("\u{202E}", FileKind::Doc).unwrap(),
            "document.doc"
        );
    }

    #[test]
    fn length_is_counted_in_chars_after_cleaning() {
        let hundred = format!("{}.pdf", "a".repeat(96));
        assert_eq!(clean(&hundred), hundred);
        let long = format!("{}.pdf", "a".repeat(97));
        let err = clean_file_name(&long, FileKind::Pdf).unwrap_err();
        assert_eq!(err, FileNameError::TooLong { chars: 101 });
        assert_eq!(
            err.to_string(),
            "Ensure this filename has at most 100 characters (it has 101)."
        );
        // Multi-byte chars count once each.
        let accents = "é".repeat(100);
        assert_eq!(clean(&accents), accents);
        // Removed characters and path prefixes do not count.
        let padded = format!("{}/{}", "d".repeat(300), "\u{200B}".repeat(50) + &hundred);
        assert_eq!(clean(&padded), hundred);
    }

    #[test]
    fn content_disposition_inline_and_attachment() {
        assert_eq!(
            content_disposition("facture.pdf", FileKind::Pdf),
            "inline; filename=\"facture.pdf\"; filename*=UTF-8''facture.pdf"
        );
        assert_eq!(
            content_disposition("report.docx", FileKind::Docx),
            "attachment; filename=\"report.docx\"; filename*=UTF-8''report.docx"
        );
        assert!(content_disposition("x.doc", FileKind::Doc).starts_with("attachment;"));
        assert!(content_disposition("x.png", FileKind::Png).starts_with("inline;"));
    }

    #[test]
    fn content_disposition_escapes() {
        assert_eq!(
            content_disposition("café \"bon\" a\\b.pdf", FileKind::Pdf),
            "inline; filename=\"caf_ _bon_ a_b.pdf\"; \
             filename*=UTF-8''caf%C3%A9%20%22bon%22%20a%5Cb.pdf"
        );
        assert_eq!(
            content_disposition("車.pdf", FileKind::Pdf),
            "inline; filename=\"_.pdf\"; filename*=UTF-8''%E8%BB%8A.pdf"
        );
        // attr-chars stay, everything else is encoded.
        assert_eq!(
            content_disposition("!#$&+-.^_`|~%'*();", FileKind::Pdf),
            "inline; filename=\"!#$&+-.^_`|~%'*();\"; filename*=UTF-8''!#$&+-.^_`|~%25%27%2A%28%29%3B"
        );
        // Header injection is impossible even for uncleaned input.
        let value = content_disposition("a\r\nX-Evil: 1", FileKind::Pdf);
        assert!(!value.contains('\r') && !value.contains('\n'));
    }

    #[test]
    fn content_disposition_round_trips_through_percent_decode() {
        let name = "Relevé n°3 – 車検.pdf";
        let value = content_disposition(name, FileKind::Pdf);
        let encoded = value.split("UTF-8''").nth(1).unwrap();
        assert_eq!(percent::decode(encoded).unwrap(), name.as_bytes());
    }
}
