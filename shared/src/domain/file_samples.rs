//! Small files of each kind the documents accept and refuse, built in
//! code (no binary fixtures): a PDF, a PNG, Word 97 compound files, DOCX
//! and other ZIPs. For the sniffing's own tests and, through the
//! `samples` feature, the test kit's.

use super::files::{utf16le, OLE2_MAGIC, PNG_MAGIC, ZIP_CENTRAL, ZIP_EOCD, ZIP_LOCAL};

pub fn put_u16(buf: &mut [u8], at: usize, v: u16) {
    buf[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

pub fn put_u32(buf: &mut [u8], at: usize, v: u32) {
    buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

pub const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
pub const FREE_SECT: u32 = 0xFFFF_FFFF;
pub const FAT_SECT: u32 = 0xFFFF_FFFD;

pub fn ole_dir_entry(name: &str, kind: u8) -> Vec<u8> {
    let mut e = vec![0u8; 128];
    let utf16 = utf16le(name);
    e[..utf16.len()].copy_from_slice(&utf16);
    put_u16(&mut e, 64, (utf16.len() + 2) as u16);
    e[66] = kind;
    e[67] = 1; // black
    put_u32(&mut e, 68, FREE_SECT); // left sibling: none
    put_u32(&mut e, 72, FREE_SECT); // right sibling: none
    put_u32(&mut e, 76, FREE_SECT); // child: none
    put_u32(&mut e, 116, END_OF_CHAIN); // start sector
    e
}

/// A minimal version 3 compound file (512-byte sectors): header, one FAT
/// sector (sector 0), then the directory in sectors 1.., `gap` unused
/// sectors before it. Entry 0 is the root; `streams` follow.
pub fn ole2(streams: &[&str], gap: u32) -> Vec<u8> {
    let mut entries = ole_dir_entry("Root Entry", 5);
    for s in streams {
        entries.extend(ole_dir_entry(s, 2));
    }
    entries.resize(entries.len().div_ceil(512) * 512, 0);
    let dir_sectors = (entries.len() / 512) as u32;
    let first_dir = 1 + gap;

    let mut header = vec![0u8; 512];
    header[..8].copy_from_slice(OLE2_MAGIC);
    put_u16(&mut header, 0x18, 0x3E); // minor version
    put_u16(&mut header, 0x1A, 3); // major version
    put_u16(&mut header, 0x1C, 0xFFFE); // little-endian
    put_u16(&mut header, 0x1E, 9); // 512-byte sectors
    put_u16(&mut header, 0x20, 6); // 64-byte mini sectors
    put_u32(&mut header, 0x2C, 1); // one FAT sector
    put_u32(&mut header, 0x30, first_dir);
    put_u32(&mut header, 0x38, 0x1000); // mini stream cutoff
    put_u32(&mut header, 0x3C, END_OF_CHAIN); // no mini FAT
    put_u32(&mut header, 0x44, END_OF_CHAIN); // no extra DIFAT
    for i in 0..109 {
        put_u32(&mut header, 0x4C + 4 * i, FREE_SECT);
    }
    put_u32(&mut header, 0x4C, 0); // FAT lives in sector 0

    let mut fat = vec![0xFFu8; 512];
    put_u32(&mut fat, 0, FAT_SECT);
    for i in 0..dir_sectors {
        let sect = first_dir + i;
        let next = if i + 1 == dir_sectors {
            END_OF_CHAIN
        } else {
            sect + 1
        };
        put_u32(&mut fat, 4 * sect as usize, next);
    }

    let mut file = header;
    file.extend(fat);
    file.extend(vec![0u8; 512 * gap as usize]);
    file.extend(entries);
    file
}

pub fn doc() -> Vec<u8> {
    ole2(&["1Table", "WordDocument", "\u{5}SummaryInformation"], 0)
}

/// A stored (uncompressed) ZIP with local headers, central directory and
/// EOCD, as Office and zip(1) lay them out.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut file = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = file.len() as u32;
        let mut local = vec![0u8; 30];
        local[..4].copy_from_slice(ZIP_LOCAL);
        put_u16(&mut local, 4, 20); // version needed
        put_u32(&mut local, 18, data.len() as u32); // compressed size
        put_u32(&mut local, 22, data.len() as u32); // uncompressed size
        put_u16(&mut local, 26, name.len() as u16);
        file.extend(local);
        file.extend(name.as_bytes());
        file.extend(*data);

        let mut cd = vec![0u8; 46];
        cd[..4].copy_from_slice(ZIP_CENTRAL);
        put_u16(&mut cd, 4, 20); // version made by
        put_u16(&mut cd, 6, 20); // version needed
        put_u32(&mut cd, 20, data.len() as u32);
        put_u32(&mut cd, 24, data.len() as u32);
        put_u16(&mut cd, 28, name.len() as u16);
        put_u32(&mut cd, 42, offset);
        central.extend(cd);
        central.extend(name.as_bytes());
    }
    let cd_offset = file.len() as u32;
    file.extend(&central);
    let mut eocd = vec![0u8; 22];
    eocd[..4].copy_from_slice(ZIP_EOCD);
    put_u16(&mut eocd, 8, entries.len() as u16);
    put_u16(&mut eocd, 10, entries.len() as u16);
    put_u32(&mut eocd, 12, central.len() as u32);
    put_u32(&mut eocd, 16, cd_offset);
    file.extend(eocd);
    file
}

pub const XML: &[u8] = b"<?xml version=\"1.0\"?><x/>";

pub fn docx() -> Vec<u8> {
    zip(&[
        ("[Content_Types].xml", XML),
        ("_rels/.rels", XML),
        ("word/document.xml", XML),
        ("word/styles.xml", XML),
    ])
}

pub fn xlsx() -> Vec<u8> {
    zip(&[
        ("[Content_Types].xml", XML),
        ("_rels/.rels", XML),
        ("xl/workbook.xml", XML),
    ])
}

pub fn odt() -> Vec<u8> {
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", XML),
    ])
}

pub fn plain_zip() -> Vec<u8> {
    zip(&[("notes.txt", b"hello"), ("word/readme.txt", b"not word")])
}

pub fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec()
}

pub fn png() -> Vec<u8> {
    let mut v = PNG_MAGIC.to_vec();
    v.extend(b"\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0");
    v
}
