//! The text layer of a PDF, read with lopdf off the async runtime.

use std::time::Duration;

use lopdf::{Document, LoadOptions};

use super::TextError;

pub(crate) const UNREADABLE: &str = "The PDF could not be read.";
pub(crate) const PASSWORD: &str = "The PDF is password-protected.";

/// Pages whose text is read; the fields are on the first pages.
pub const MAX_PAGES: u32 = 20;
/// Below this many non-whitespace characters per page read, on average, the
/// PDF is taken for a scan (a scanner's layer holds a few stray words).
pub const MIN_CHARS_PER_PAGE: usize = 40;
/// lopdf cannot be interrupted: a pathological file must not hold the
/// worker longer than this (the blocking thread is abandoned, not killed).
const PARSE_TIMEOUT: Duration = Duration::from_secs(20);
/// lopdf's decompression-bomb guards. At load: any one object or xref
/// stream (lopdf's default is 256 MiB; real ones are kilobytes). At
/// extraction: all content streams of one page together.
const LOAD_STREAM_LIMIT: usize = 16 * 1024 * 1024;
const PAGE_CONTENT_LIMIT: usize = 8 * 1024 * 1024;

/// What the text layer gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextLayer {
    pub text: String,
    /// Pages read (at most [`MAX_PAGES`]).
    pub pages_read: u32,
    /// Pages of the document.
    pub page_count: u32,
}

impl TextLayer {
    /// Enough text for the PDF not to be a scan.
    pub fn is_usable(&self) -> bool {
        let chars = self.text.chars().filter(|c| !c.is_whitespace()).count();
        self.pages_read > 0 && chars >= MIN_CHARS_PER_PAGE * self.pages_read as usize
    }
}

/// Reads the text layer of `bytes`. Corrupt or encrypted files are
/// Permanent; a parser panic or a runaway parse too.
pub async fn text_layer(bytes: &[u8]) -> Result<TextLayer, TextError> {
    let owned = bytes.to_vec();
    let parse = tokio::task::spawn_blocking(move || parse(&owned));
    match tokio::time::timeout(PARSE_TIMEOUT, parse).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => {
            tracing::warn!(error = %join, "the PDF parser panicked");
            Err(TextError::permanent(UNREADABLE))
        }
        Err(_) => {
            tracing::warn!("the PDF parser ran out of time");
            Err(TextError::permanent(UNREADABLE))
        }
    }
}

fn parse(bytes: &[u8]) -> Result<TextLayer, TextError> {
    let options = LoadOptions {
        max_decompressed_size: Some(LOAD_STREAM_LIMIT),
        ..LoadOptions::default()
    };
    let document = Document::load_mem_with_options(bytes, options).map_err(|error| {
        tracing::info!(%error, "the PDF does not load");
        match error {
            lopdf::Error::InvalidPassword => TextError::permanent(PASSWORD),
            _ => TextError::permanent(UNREADABLE),
        }
    })?;
    // Loading without a password succeeds when the user password is empty
    // (the document is then decrypted); otherwise /Encrypt stays and the
    // objects are ciphertext.
    if document.is_encrypted() {
        return Err(TextError::permanent(PASSWORD));
    }
    let pages = document.get_pages();
    let page_count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    if page_count == 0 {
        return Err(TextError::permanent(UNREADABLE));
    }
    let mut text = String::new();
    let mut pages_read = 0;
    for &number in pages.keys().take(MAX_PAGES as usize) {
        pages_read += 1;
        // Chunk by chunk: one font with a broken encoding must not lose the
        // rest of the page.
        for chunk in document.extract_text_chunks_with_limit(&[number], PAGE_CONTENT_LIMIT) {
            match chunk {
                Ok(chunk) => text.push_str(&chunk),
                Err(error) => tracing::debug!(page = number, %error, "text not extracted"),
            }
        }
        if !text.ends_with('\n') && !text.is_empty() {
            text.push('\n');
        }
    }
    Ok(TextLayer {
        text,
        pages_read,
        page_count,
    })
}
