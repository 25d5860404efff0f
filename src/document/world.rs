//! The Typst world: fonts and the standard library built once and shared, and a cheap
//! per-document world whose files come only from the template directory. No packages, no
//! system fonts, no clock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::catalog::assets::Assets;

/// The fonts shipped in `fonts/`, embedded in the binary (SIL Open Font License).
pub static EMBEDDED_FONTS: &[&[u8]] = &[
    include_bytes!("../../fonts/NotoSerif-Regular.ttf"),
    include_bytes!("../../fonts/NotoSerif-Bold.ttf"),
    include_bytes!("../../fonts/NotoSerif-Italic.ttf"),
    include_bytes!("../../fonts/NotoSerif-BoldItalic.ttf"),
    include_bytes!("../../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../../fonts/NotoSans-Bold.ttf"),
];

/// What every document shares: the standard library, the fonts and the templates.
pub struct Env {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    pub assets: Assets,
}

impl Env {
    pub fn new(assets: Assets) -> Env {
        let fonts: Vec<Font> = EMBEDDED_FONTS.iter().flat_map(|d| Font::iter(Bytes::new(*d))).collect();
        Env {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            assets,
        }
    }

    /// Whether any shipped font can draw `c`.
    pub fn covers(&self, c: char) -> bool {
        self.fonts.iter().any(|f| f.info().coverage.contains(c as u32))
    }
}

pub fn file_id(path: &str) -> Option<FileId> {
    Some(RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).ok()?).intern())
}

/// The path of the generated main file; the same for every document, since file ids are
/// interned for the life of the process.
pub const MAIN_PATH: &str = "/main.typ";
/// The path of the generated appendix document (see `document::appendix`): apart from
/// the main file's, so that no element of one can share a location with the other's.
pub const APPENDIX_PATH: &str = "/.vedleggsdokument.typ";

/// One document's world.
pub struct DocWorld {
    env: Arc<Env>,
    main: Source,
    today: Datetime,
    files: Mutex<HashMap<FileId, FileResult<Bytes>>>,
    sources: Mutex<HashMap<FileId, FileResult<Source>>>,
    /// Files that exist only for this document (attachments), by absolute path.
    virtual_files: HashMap<FileId, Bytes>,
    /// Whether the document asked for today's date, which makes its layout date-dependent.
    asked_today: AtomicBool,
}

impl DocWorld {
    pub fn new(env: Arc<Env>, text: String, today: Datetime, files: Vec<(String, Vec<u8>)>) -> Option<DocWorld> {
        DocWorld::with_main(env, MAIN_PATH, text, today, files)
    }

    /// A world whose main file is `main_path`.
    pub fn with_main(
        env: Arc<Env>,
        main_path: &str,
        text: String,
        today: Datetime,
        files: Vec<(String, Vec<u8>)>,
    ) -> Option<DocWorld> {
        let main = Source::new(file_id(main_path)?, text);
        let mut virtual_files = HashMap::new();
        for (path, data) in files {
            virtual_files.insert(file_id(&path)?, Bytes::new(data));
        }
        Some(DocWorld {
            env,
            main,
            today,
            files: Mutex::default(),
            sources: Mutex::default(),
            virtual_files,
            asked_today: AtomicBool::new(false),
        })
    }

    /// Whether Typst asked for today's date while compiling.
    pub fn asked_today(&self) -> bool {
        self.asked_today.load(Ordering::Relaxed)
    }

    pub fn main_source(&self) -> &Source {
        &self.main
    }

    fn read(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(b) = self.virtual_files.get(&id) {
            return Ok(b.clone());
        }
        if let VirtualRoot::Package(spec) = id.root() {
            return Err(FileError::Package(PackageError::NotFound(spec.clone())));
        }
        let rel = id.vpath().get_without_slash().to_string();
        self.env
            .assets
            .read(&rel)
            .map(Bytes::new)
            .map_err(|_| FileError::NotFound(id.vpath().get_with_slash().into()))
    }
}

impl World for DocWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.env.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.env.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let mut cache = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(id)
            .or_insert_with(|| {
                let bytes = self.file(id)?;
                let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
                Ok(Source::new(id, text.to_string()))
            })
            .clone()
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        let mut cache = self.files.lock().unwrap_or_else(|e| e.into_inner());
        cache.entry(id).or_insert_with(|| self.read(id)).clone()
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.env.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.asked_today.store(true, Ordering::Relaxed);
        Some(self.today)
    }
}
