//! Small files of each kind the documents function accepts or refuses:
//! the sniffing's own samples (`shared::domain::file_samples`), plus a JPEG
//! and a GIF header.

pub use shared::domain::file_samples::{doc, docx, ole2, pdf, png, xlsx, zip};

pub fn jpeg() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend_from_slice(&[0u8; 64]);
    bytes
}

pub fn gif() -> Vec<u8> {
    let mut bytes = b"GIF89a".to_vec();
    bytes.extend_from_slice(&[0u8; 32]);
    bytes
}
