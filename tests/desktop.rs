//! The desktop integration: what `desktop-file-validate` (run in CI) cannot check, and that
//! install then uninstall leaves nothing behind.

use std::path::{Path, PathBuf};
use std::process::Command;

fn desktop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("desktop")
}

/// `key=value` of the `[Desktop Entry]` group.
fn entry(key: &str) -> String {
    let text = std::fs::read_to_string(desktop_dir().join("initlab.desktop")).expect("entry");
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in initlab.desktop"))
        .to_owned()
}

#[test]
fn the_menu_entry_opens_files_and_names_its_icon_and_window() {
    assert_eq!(
        entry("Exec"),
        "initlab %f",
        "one file per launch, as the app opens one"
    );
    let mime: Vec<String> = entry("MimeType")
        .split(';')
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect();
    for m in ["text/csv", "application/json"] {
        assert!(mime.iter().any(|x| x == m), "{m} in {mime:?}");
    }
    let categories = entry("Categories");
    assert!(categories.contains("Science;") && categories.contains("Education;"));
    // The icon named is the one installed, and the window's app id is the WM class.
    assert_eq!(entry("Icon"), "initlab");
    assert!(desktop_dir().join("initlab.svg").is_file());
    assert!(desktop_dir().join("initlab-256.png").is_file());
    assert_eq!(entry("StartupWMClass"), initlab::app::APP_ID);
    let icon = initlab::app::window_icon().expect("the window icon decodes");
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    let png = std::fs::read(desktop_dir().join("initlab-256.png")).expect("png");
    assert_eq!(&png[1..4], b"PNG");
    assert_eq!(
        u32::from_be_bytes([png[16], png[17], png[18], png[19]]),
        256,
        "width"
    );
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            out.push(e.path());
            out.extend(files_under(&e.path()));
        }
    }
    out
}

#[test]
fn install_then_uninstall_leaves_nothing_behind() {
    let prefix = std::env::temp_dir().join(format!("initlab-desktop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&prefix);
    std::fs::create_dir_all(&prefix).expect("prefix");
    let script = desktop_dir().join("install.sh");
    let run = |extra: &[&str]| {
        let o = Command::new("bash")
            .arg(&script)
            .args(["--prefix", prefix.to_str().expect("utf8")])
            .args(extra)
            .output()
            .expect("runs install.sh");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    run(&[]);
    let share = prefix.join("share");
    for f in [
        "applications/initlab.desktop",
        "icons/hicolor/scalable/apps/initlab.svg",
        "icons/hicolor/256x256/apps/initlab.png",
    ] {
        assert!(share.join(f).is_file(), "{f} installed");
    }
    let installed = std::fs::read(share.join("applications/initlab.desktop")).expect("entry");
    assert_eq!(
        installed,
        std::fs::read(desktop_dir().join("initlab.desktop")).expect("entry")
    );
    run(&["--uninstall"]);
    assert_eq!(
        files_under(&prefix),
        Vec::<PathBuf>::new(),
        "nothing left behind"
    );
    let _ = std::fs::remove_dir_all(&prefix);
}
