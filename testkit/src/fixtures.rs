//! Test documents: PDFs with a real text layer, scanned (image-only) PDFs,
//! and page images rendered with pdftoppm.

use std::process::Command;

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Encoding, Object, ObjectId, Stream, StringFormat};

/// A4 in points.
const PAGE_WIDTH: i64 = 595;
const PAGE_HEIGHT: i64 = 842;
const FONT_SIZE: i64 = 14;
const LEADING: i64 = 20;

/// The README's sample invoice (`autotrack-local sample-invoice`, the
/// OCR bench): a French garage invoice, total 189.90, dated 2026-03-14.
pub const SAMPLE_INVOICE: &[&str] = &[
    "GARAGE DU CENTRE SARL",
    "12 avenue de la République, 69003 Lyon",
    "FACTURE N° 2026-0318",
    "Date : 14/03/2026",
    "Véhicule : Peugeot 208 AB-123-CD - Kilométrage : 45 200 km",
    "Vidange moteur + filtre à huile 89,90 €",
    "Plaquettes de frein avant 68,35 €",
    "Total HT 158,25 €",
    "TVA 20 % 31,65 €",
    "Total TTC 189,90 €",
];

/// A one-page PDF whose text layer holds `lines` (Helvetica,
/// WinAnsiEncoding: French accents and € survive).
pub fn text_pdf(lines: &[&str]) -> Vec<u8> {
    multi_page_text_pdf(&[lines])
}

/// One page per entry of `pages`.
pub fn multi_page_text_pdf(pages: &[&[&str]]) -> Vec<u8> {
    let mut builder = PdfBuilder::new();
    let font = builder.document.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources = builder.document.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font },
    });
    let encoding = Encoding::SimpleEncoding(b"WinAnsiEncoding");
    for lines in pages {
        let mut operations = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), FONT_SIZE.into()]),
            Operation::new("TL", vec![LEADING.into()]),
            Operation::new("Td", vec![60.into(), (PAGE_HEIGHT - 70).into()]),
        ];
        for (index, line) in lines.iter().enumerate() {
            if index > 0 {
                operations.push(Operation::new("T*", vec![]));
            }
            let bytes = encoding.string_to_bytes(line);
            operations.push(Operation::new(
                "Tj",
                vec![Object::String(bytes, StringFormat::Literal)],
            ));
        }
        operations.push(Operation::new("ET", vec![]));
        builder.add_page(Content { operations }, resources);
    }
    builder.finish()
}

/// A one-page PDF whose page is only `jpeg`, full page (DCTDecode): what a
/// scanner makes.
pub fn scanned_pdf(jpeg: &[u8]) -> Vec<u8> {
    scanned_multi_page_pdf(&[jpeg])
}

/// One image-only page per JPEG.
pub fn scanned_multi_page_pdf(jpegs: &[&[u8]]) -> Vec<u8> {
    let mut builder = PdfBuilder::new();
    for jpeg in jpegs {
        let (width, height, components) = jpeg_size(jpeg).expect("a baseline or progressive JPEG");
        let color_space = if components == 1 {
            "DeviceGray"
        } else {
            "DeviceRGB"
        };
        let image = builder.document.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => i64::from(width),
                "Height" => i64::from(height),
                "ColorSpace" => color_space,
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            jpeg.to_vec(),
        ));
        let resources = builder.document.add_object(dictionary! {
            "XObject" => dictionary! { "Im1" => image },
        });
        let operations = vec![
            Operation::new("q", vec![]),
            Operation::new(
                "cm",
                vec![
                    PAGE_WIDTH.into(),
                    0.into(),
                    0.into(),
                    PAGE_HEIGHT.into(),
                    0.into(),
                    0.into(),
                ],
            ),
            Operation::new("Do", vec!["Im1".into()]),
            Operation::new("Q", vec![]),
        ];
        builder.add_page(Content { operations }, resources);
    }
    builder.finish()
}

/// A scan of `lines`: their text PDF rendered to JPEG, wrapped in a PDF.
/// `None` without pdftoppm.
pub fn scanned_text_pdf(lines: &[&str]) -> Option<Vec<u8>> {
    Some(scanned_pdf(&rendered_jpeg(&text_pdf(lines))?))
}

/// The first page of `pdf` as a PNG at 150 dpi; `None` without pdftoppm.
pub fn rendered_png(pdf: &[u8]) -> Option<Vec<u8>> {
    render(pdf, "-png", "png")
}

/// The first page of `pdf` as a JPEG at 150 dpi; `None` without pdftoppm.
pub fn rendered_jpeg(pdf: &[u8]) -> Option<Vec<u8>> {
    render(pdf, "-jpeg", "jpg")
}

fn render(pdf: &[u8], format: &str, extension: &str) -> Option<Vec<u8>> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let unique = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ocr-fixture-{}-{unique}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let input = dir.join("in.pdf");
    let rendered = std::fs::write(&input, pdf).ok().and_then(|()| {
        let status = Command::new("pdftoppm")
            .args([format, "-r", "150", "-singlefile"])
            .arg(&input)
            .arg(dir.join("out"))
            .status()
            .ok()?;
        status.success().then_some(())?;
        std::fs::read(dir.join(format!("out.{extension}"))).ok()
    });
    let _ = std::fs::remove_dir_all(&dir);
    rendered
}

/// Width, height and components from a JPEG's SOF segment.
fn jpeg_size(jpeg: &[u8]) -> Option<(u16, u16, u8)> {
    let mut at = 2; // past SOI
    if jpeg.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    loop {
        if *jpeg.get(at)? != 0xFF {
            return None;
        }
        let marker = *jpeg.get(at + 1)?;
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        let length = usize::from(u16::from_be_bytes([*jpeg.get(at + 2)?, *jpeg.get(at + 3)?]));
        // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let sof = jpeg.get(at + 4..at + 10)?;
            let height = u16::from_be_bytes([sof[1], sof[2]]);
            let width = u16::from_be_bytes([sof[3], sof[4]]);
            return Some((width, height, sof[5]));
        }
        at += 2 + length;
    }
}

/// The catalog and page tree around pages added one by one.
struct PdfBuilder {
    document: Document,
    pages_id: ObjectId,
    kids: Vec<Object>,
}

impl PdfBuilder {
    fn new() -> Self {
        let mut document = Document::with_version("1.5");
        let pages_id = document.new_object_id();
        Self {
            document,
            pages_id,
            kids: Vec::new(),
        }
    }

    fn add_page(&mut self, content: Content, resources: ObjectId) {
        let bytes = content.encode().expect("content encodes");
        let contents = self.document.add_object(Stream::new(dictionary! {}, bytes));
        let page = self.document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => self.pages_id,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_WIDTH.into(), PAGE_HEIGHT.into()],
            "Contents" => contents,
            "Resources" => resources,
        });
        self.kids.push(page.into());
    }

    fn finish(mut self) -> Vec<u8> {
        let count = i64::try_from(self.kids.len()).expect("a few pages");
        self.document.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => self.kids,
                "Count" => count,
            }),
        );
        let catalog = self.document.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => self.pages_id,
        });
        self.document.trailer.set("Root", catalog);
        self.document.compress();
        let mut bytes = Vec::new();
        self.document.save_to(&mut bytes).expect("in-memory write");
        bytes
    }
}

/// A PDF that needs a user password: `text_pdf(lines)` with a standard
/// security handler whose empty-password check fails. Its objects are not
/// really encrypted; a reader cannot tell without the password.
pub fn password_protected_pdf(lines: &[&str]) -> Vec<u8> {
    let mut document = Document::load_mem(&text_pdf(lines)).expect("our own PDF loads");
    let encrypt = document.add_object(dictionary! {
        "Filter" => "Standard",
        "V" => 1,
        "R" => 2,
        "Length" => 40,
        "P" => -44,
        "O" => Object::String(vec![0x4F; 32], StringFormat::Hexadecimal),
        "U" => Object::String(vec![0x55; 32], StringFormat::Hexadecimal),
    });
    let id = Object::String(b"0123456789abcdef".to_vec(), StringFormat::Hexadecimal);
    document.trailer.set("Encrypt", encrypt);
    document.trailer.set("ID", vec![id.clone(), id]);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).expect("in-memory write");
    bytes
}
