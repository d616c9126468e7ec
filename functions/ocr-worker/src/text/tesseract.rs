//! Tesseract (and pdftoppm for scanned PDFs) as child processes.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::{DocumentText, Engine, Source, TextError};

/// Where the binaries are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TesseractPaths {
    pub tesseract: String,
    pub pdftoppm: String,
}

impl Default for TesseractPaths {
    fn default() -> Self {
        Self {
            tesseract: "tesseract".to_string(),
            pdftoppm: "pdftoppm".to_string(),
        }
    }
}

pub(crate) const INSTALL_HINT: &str = "Text recognition is not installed on this server \
     (install tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng).";
const NO_PDFTOPPM: &str = "Scanned PDFs cannot be read on this server (install poppler-utils).";
const UNREADABLE_IMAGE: &str = "The image could not be read.";
const TOO_SLOW: &str = "The document took too long to read.";
const UNREADABLE_PDF: &str = "The PDF could not be read.";

/// One page's OCR or rendering; a local engine that takes longer is stuck
/// on this document and will be stuck again.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
/// Scanned PDFs: the fields are on the first pages.
pub const MAX_SCANNED_PAGES: u32 = 3;
const RENDER_DPI: &str = "200";
/// Page segmentation 4, one column of text of variable sizes: on the
/// fixtures it keeps each label on the line of its amount ("Total TTC
/// 189,90 €") where 3 (automatic) splits the page into column blocks, and
/// it reads a large title next to small text that 6 (one uniform block)
/// garbles.
const PSM: &str = "4";

/// The engine of this machine: Tesseract when it lists French and English.
pub async fn tesseract_engine(paths: TesseractPaths) -> Engine {
    let probe = Command::new(&paths.tesseract)
        .arg("--list-langs")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(Ok(output)) if output.status.success() => output,
        Ok(Ok(output)) => {
            tracing::warn!(status = %output.status, "tesseract --list-langs failed");
            return Engine::Unavailable(INSTALL_HINT.to_string());
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, tesseract = %paths.tesseract, "tesseract does not run");
            return Engine::Unavailable(INSTALL_HINT.to_string());
        }
        Err(_) => {
            tracing::warn!("tesseract --list-langs timed out");
            return Engine::Unavailable(INSTALL_HINT.to_string());
        }
    };
    // The first line is a header ("List of available languages in ...").
    let listing = String::from_utf8_lossy(&output.stdout);
    let has = |lang: &str| listing.lines().skip(1).any(|line| line.trim() == lang);
    if has("fra") && has("eng") {
        Engine::Tesseract(paths)
    } else {
        tracing::warn!(%listing, "tesseract lacks fra or eng");
        Engine::Unavailable(INSTALL_HINT.to_string())
    }
}

/// A PNG or JPEG.
pub(crate) async fn read_image(
    paths: &TesseractPaths,
    bytes: &[u8],
) -> Result<DocumentText, TextError> {
    let page = ocr(paths, bytes).await?;
    Ok(page.into_text(1))
}

/// A scanned PDF: its first pages rendered, then each read.
pub(crate) async fn read_pdf(
    paths: &TesseractPaths,
    bytes: &[u8],
) -> Result<DocumentText, TextError> {
    let dir =
        TempDir::create().map_err(|error| TextError::Transient(format!("temp dir: {error}")))?;
    let input = dir.path().join("input.pdf");
    tokio::fs::write(&input, bytes)
        .await
        .map_err(|error| TextError::Transient(format!("writing the PDF: {error}")))?;
    let render = Command::new(&paths.pdftoppm)
        .args(["-f", "1", "-l"])
        .arg(MAX_SCANNED_PAGES.to_string())
        .args(["-r", RENDER_DPI, "-gray", "-png"])
        .arg(&input)
        .arg(dir.path().join("page"))
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = match tokio::time::timeout(STEP_TIMEOUT, render).await {
        Ok(Ok(output)) => output,
        // Not installed: retrying will not install it, and the user should
        // hear why rather than wait for the dead-letter queue.
        Ok(Err(error)) if error.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(pdftoppm = %paths.pdftoppm, "pdftoppm is not installed");
            return Err(TextError::permanent(NO_PDFTOPPM));
        }
        Ok(Err(error)) => return Err(TextError::Transient(format!("pdftoppm: {error}"))),
        Err(_) => return Err(TextError::permanent(TOO_SLOW)),
    };
    if !output.status.success() {
        tracing::info!(
            status = %output.status,
            stderr = %String::from_utf8_lossy(&output.stderr),
            "pdftoppm failed"
        );
        return Err(TextError::permanent(UNREADABLE_PDF));
    }
    // page-1.png, or page-01.png from ten pages on: sorted by name, the
    // padding keeps the order.
    let mut images = std::fs::read_dir(dir.path())
        .map_err(|error| TextError::Transient(format!("reading the pages: {error}")))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "png"))
        .collect::<Vec<_>>();
    images.sort();
    if images.is_empty() {
        return Err(TextError::permanent(UNREADABLE_PDF));
    }
    let mut all = Ocr::default();
    for image in &images {
        let bytes = tokio::fs::read(image)
            .await
            .map_err(|error| TextError::Transient(format!("reading a page: {error}")))?;
        let page = ocr(paths, &bytes).await?;
        if !all.text.is_empty() && !page.text.is_empty() {
            all.text.push('\n');
        }
        all.text.push_str(&page.text);
        all.confidence_sum += page.confidence_sum;
        all.words += page.words;
    }
    Ok(all.into_text(u32::try_from(images.len()).unwrap_or(MAX_SCANNED_PAGES)))
}

/// Text and word confidences of one image.
#[derive(Debug, Default)]
struct Ocr {
    text: String,
    confidence_sum: f64,
    words: u32,
}

impl Ocr {
    fn into_text(self, pages: u32) -> DocumentText {
        let ocr_confidence = (self.words > 0)
            .then(|| (self.confidence_sum / f64::from(self.words) / 100.0).clamp(0.0, 1.0));
        DocumentText {
            text: self.text,
            source: Source::Tesseract,
            pages,
            ocr_confidence,
        }
    }
}

/// One image through `tesseract stdin stdout ... tsv`: the TSV gives the
/// words with their confidence, and the text is rebuilt from it, so one run
/// gives both.
async fn ocr(paths: &TesseractPaths, image: &[u8]) -> Result<Ocr, TextError> {
    let mut child = Command::new(&paths.tesseract)
        .args(["stdin", "stdout", "-l", "fra+eng", "--psm", PSM, "tsv"])
        // OpenMP's thread pool costs more than it gains on a page: one
        // thread reads the same text 3 to 4 times faster here.
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| TextError::Transient(format!("tesseract: {error}")))?;
    let Some(mut stdin) = child.stdin.take() else {
        return Err(TextError::Transient(
            "tesseract's stdin was not opened".into(),
        ));
    };
    let image = image.to_vec();
    // Written while the output is read, so neither pipe can fill up and
    // block the other side. A write error means tesseract exited early: its
    // status says why.
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(&image).await;
    });
    let result = tokio::time::timeout(STEP_TIMEOUT, child.wait_with_output()).await;
    writer.abort();
    let output = match result {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => return Err(TextError::Transient(format!("tesseract: {error}"))),
        // Dropping the child killed it.
        Err(_) => return Err(TextError::permanent(TOO_SLOW)),
    };
    if !output.status.success() {
        tracing::info!(
            status = %output.status,
            stderr = %String::from_utf8_lossy(&output.stderr),
            "tesseract failed"
        );
        return Err(TextError::permanent(UNREADABLE_IMAGE));
    }
    Ok(parse_tsv(&String::from_utf8_lossy(&output.stdout)))
}

/// Tesseract's TSV: level, page, block, paragraph, line, word, left, top,
/// width, height, conf, text. Words (level 5) are joined by spaces within a
/// line, lines by '\n', with a blank line between blocks as in its text
/// output.
fn parse_tsv(tsv: &str) -> Ocr {
    let mut ocr = Ocr::default();
    let mut current: Option<(&str, &str, &str, &str)> = None;
    for row in tsv.lines().skip(1) {
        let fields: Vec<&str> = row.splitn(12, '\t').collect();
        let [level, page, block, paragraph, line, _, _, _, _, _, confidence, word] = fields[..]
        else {
            continue;
        };
        let word = word.trim();
        if level != "5" || word.is_empty() {
            continue;
        }
        let position = (page, block, paragraph, line);
        match current {
            Some(previous) if previous == position => ocr.text.push(' '),
            Some(previous) => {
                ocr.text.push('\n');
                if (previous.0, previous.1) != (page, block) {
                    ocr.text.push('\n');
                }
            }
            None => {}
        }
        current = Some(position);
        ocr.text.push_str(word);
        if let Ok(confidence) = confidence.parse::<f64>() {
            if confidence >= 0.0 {
                ocr.confidence_sum += confidence;
                ocr.words += 1;
            }
        }
    }
    ocr
}

/// A directory of our own under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn create() -> std::io::Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let name = format!(
            "ocr-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        // create_dir, not create_dir_all: fails rather than share a directory.
        std::fs::create_dir(&path)?;
        Ok(Self(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.0) {
            tracing::warn!(%error, dir = %self.0.display(), "temp dir not removed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_become_lines_and_a_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
            5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90\tFACTURE\n\
            5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t80\tN°\n\
            5\t1\t1\t1\t2\t1\t0\t0\t10\t10\t70\tTotal\n\
            5\t1\t2\t1\t1\t1\t0\t0\t10\t10\t60\tMerci\n";
        let ocr = parse_tsv(tsv);
        assert_eq!(ocr.text, "FACTURE N°\nTotal\n\nMerci");
        assert_eq!(ocr.words, 4);
        assert!((ocr.confidence_sum - 300.0).abs() < 1e-9);
    }

    #[test]
    fn temp_dirs_are_unique_and_removed() {
        let a = TempDir::create().unwrap();
        let b = TempDir::create().unwrap();
        assert_ne!(a.path(), b.path());
        let path = a.path().to_path_buf();
        drop(a);
        assert!(!path.exists());
    }
}
