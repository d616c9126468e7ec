//! One HTTP/TLS stack and one crypto provider (README, "Dependencies"). This
//! test reads the workspace's `Cargo.lock` and fails when a change brings
//! back the legacy stack (hyper 0.14, rustls 0.21, rustls-webpki 0.101) or a
//! second crypto provider (`ring`) next to aws-lc-rs.
//!
//! `ring` may still appear in the lock file as a dependency of
//! rustls-webpki 0.103: that crate names it in a weak feature
//! (`alloc = ["ring?/alloc"]`) and Cargo records such optional dependencies in
//! the lock file even when nothing enables them (rust-lang/cargo#10801;
//! `cargo tree -i ring` shows it is never built). So the test pins exactly that: nothing else depends on
//! `ring`, and rustls itself depends on aws-lc-rs and not on `ring`.

struct Package {
    name: String,
    version: String,
    /// Dependency names, without the version or source Cargo adds when two
    /// versions of a crate are in the lock file.
    dependencies: Vec<String>,
}

fn unquote(value: &str) -> String {
    value
        .trim()
        .trim_end_matches(',')
        .trim_matches('"')
        .to_string()
}

/// A small reader of the lock file's `[[package]]` blocks (names, versions,
/// dependency lists); enough for this test, no TOML parser needed.
fn packages() -> Vec<Package> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock");
    let text = std::fs::read_to_string(path).expect("the workspace has a Cargo.lock");
    let mut packages = Vec::new();
    let mut current: Option<Package> = None;
    let mut in_dependencies = false;
    for line in text.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            packages.extend(current.take());
            current = Some(Package {
                name: String::new(),
                version: String::new(),
                dependencies: Vec::new(),
            });
            in_dependencies = false;
            continue;
        }
        let Some(package) = current.as_mut() else {
            continue;
        };
        if in_dependencies {
            if line.starts_with(']') {
                in_dependencies = false;
            } else {
                let entry = unquote(line);
                let name = entry.split(' ').next().unwrap_or_default().to_string();
                package.dependencies.push(name);
            }
        } else if let Some(value) = line.strip_prefix("name = ") {
            package.name = unquote(value);
        } else if let Some(value) = line.strip_prefix("version = ") {
            package.version = unquote(value);
        } else if line.starts_with("dependencies = [") {
            in_dependencies = !line.ends_with(']');
        }
    }
    packages.extend(current);
    assert!(
        packages.iter().any(|p| p.name == "shared"),
        "the lock file was not read"
    );
    packages
}

fn versions(packages: &[Package], name: &str) -> Vec<String> {
    packages
        .iter()
        .filter(|p| p.name == name)
        .map(|p| p.version.clone())
        .collect()
}

fn depends_on(package: &Package, name: &str) -> bool {
    package.dependencies.iter().any(|d| d == name)
}

#[test]
fn one_http_stack_no_legacy_hyper_or_rustls() {
    let packages = packages();
    for (name, wanted_major) in [
        ("hyper", "1."),
        ("rustls", "0.23."),
        ("hyper-rustls", "0.27."),
        ("tokio-rustls", "0.26."),
        ("rustls-webpki", "0.103."),
    ] {
        let found = versions(&packages, name);
        assert!(
            found.len() <= 1 && found.iter().all(|v| v.starts_with(wanted_major)),
            "{name}: expected at most one version, {wanted_major}x, found {found:?} \
             (an AWS SDK crate with default features, or a `legacy-*` feature?)"
        );
    }
    assert_eq!(
        versions(&packages, "rustls").len(),
        1,
        "the AWS SDK's HTTPS client uses rustls"
    );
}

#[test]
fn one_crypto_provider_aws_lc_rs() {
    let packages = packages();
    let rustls: Vec<&Package> = packages.iter().filter(|p| p.name == "rustls").collect();
    assert!(!rustls.is_empty(), "rustls is in the lock file");
    for rustls in rustls {
        assert!(
            depends_on(rustls, "aws-lc-rs"),
            "rustls {} must use aws-lc-rs",
            rustls.version
        );
        assert!(
            !depends_on(rustls, "ring"),
            "rustls {} must not have ring as a second provider",
            rustls.version
        );
    }

    let on_ring: Vec<&str> = packages
        .iter()
        .filter(|p| depends_on(p, "ring"))
        .map(|p| p.name.as_str())
        .collect();
    // quinn-proto is reqwest's HTTP/3 stack (the AI worker's model
    // client): recorded through reqwest's optional `http3`, which is off.
    assert!(
        on_ring
            .iter()
            .all(|name| *name == "rustls-webpki" || *name == "quinn-proto"),
        "only rustls-webpki and quinn-proto may name ring (unused optional features), found {on_ring:?}"
    );

    let jwt = packages
        .iter()
        .find(|p| p.name == "jsonwebtoken")
        .expect("jsonwebtoken is in the lock file");
    assert!(
        depends_on(jwt, "aws-lc-rs"),
        "jsonwebtoken must use its aws_lc_rs backend"
    );
    for other in ["ring", "hmac", "sha2", "rsa", "p256", "ed25519-dalek"] {
        assert!(
            !depends_on(jwt, other),
            "jsonwebtoken must not bring a second crypto backend ({other})"
        );
    }
}

/// What the lock file records is more than what is built: Cargo's own view
/// of the build graph (every target, normal and build dependencies) must
/// have no `ring` and no HTTP/3 stack at all.
#[test]
fn ring_and_quinn_are_never_built() {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    for krate in ["ring", "quinn", "native-tls", "openssl-sys"] {
        let out = std::process::Command::new(env!("CARGO"))
            .args([
                "tree",
                "--workspace",
                "--target",
                "all",
                "-e",
                "normal,build",
            ])
            .args([
                "--offline",
                "--locked",
                "--manifest-path",
                manifest,
                "-i",
                krate,
            ])
            .output()
            .expect("cargo tree runs");
        let printed = String::from_utf8_lossy(&out.stdout);
        let errors = String::from_utf8_lossy(&out.stderr);
        // Absent from the lock file altogether is as good as never built;
        // any other failure must not pass for an empty graph.
        let absent = !out.status.success() && errors.contains("did not match any packages");
        assert!(
            absent || out.status.success(),
            "cargo tree failed: {errors}"
        );
        assert!(printed.trim().is_empty(), "{krate} is built by: {printed}");
    }
    // The check itself sees what is built.
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--workspace",
            "--target",
            "all",
            "-e",
            "normal,build",
        ])
        .args([
            "--offline",
            "--locked",
            "--manifest-path",
            manifest,
            "-i",
            "aws-lc-rs",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains("rustls"));
}
