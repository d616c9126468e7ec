//! The docs page's files (swagger-ui-dist) are embedded at compile time from
//! the git-ignored `assets/`, which `infra/docs_assets.sh` fills from the npm
//! registry (`make docs-assets`; `make dev`, `make test` and `make build`
//! run it first). Without them the build stops here, saying so.

use std::path::Path;

const FILES: [&str; 5] = [
    "swagger-ui-bundle.js",
    "swagger-ui.css",
    "LICENSE",
    "NOTICE",
    "swagger-ui-bundle.js.LICENSE.txt",
];

fn main() {
    println!("cargo:rerun-if-changed=assets");
    let missing: Vec<&str> = FILES
        .into_iter()
        .filter(|file| !Path::new("assets").join(file).is_file())
        .collect();
    if !missing.is_empty() {
        panic!(
            "functions/docs/assets/ lacks {}: run `make docs-assets` (bash infra/docs_assets.sh) \
             once, it fetches the pinned swagger-ui-dist from the npm registry",
            missing.join(", ")
        );
    }
}
