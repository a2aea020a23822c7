//! `flexgate import-blazeds` on hostile or broken XML: every case ends in
//! a clear error naming the file, never a panic, a hang or an expansion.

use flexgate_gateway::import::{import, ImportError, Options, XmlError};
use std::path::{Path, PathBuf};

/// A fresh directory for one test's files.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("flexgate-import-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("written");
    p
}

fn run(path: &Path) -> ImportError {
    import(path, &Options::default()).expect_err("refused")
}

#[test]
fn a_doctype_is_refused_so_no_entity_is_expanded() {
    let d = dir("doctype");
    let secret = write(&d, "secret.txt", "TOP-SECRET");
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE services-config [\n<!ENTITY x SYSTEM \"file://{}\">\n\
         <!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n\
         <services-config><channels>&x;&b;</channels></services-config>\n",
        secret.display()
    );
    let e = run(&write(&d, "services-config.xml", &xml));
    assert!(
        matches!(
            &e,
            ImportError::Xml {
                source: XmlError::DocType { line: 2 },
                ..
            }
        ),
        "{e}"
    );
    assert!(!e.to_string().contains("TOP-SECRET"));
    // Without the DOCTYPE the reference is just unknown.
    let e = run(&write(
        &d,
        "entity.xml",
        "<services-config><channels>&x;</channels></services-config>",
    ));
    assert!(e.to_string().contains("unknown entity &x;"), "{e}");
}

#[test]
fn deep_nesting_and_huge_files_are_refused() {
    let d = dir("big");
    let deep = format!(
        "<services-config>{}{}</services-config>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let e = run(&write(&d, "deep.xml", &deep));
    assert!(e.to_string().contains("nested deeper than 32"), "{e}");
    let huge = format!(
        "<services-config><!-- {} --></services-config>",
        "x".repeat(2 * 1024 * 1024)
    );
    let e = run(&write(&d, "huge.xml", &huge));
    assert!(matches!(e, ImportError::TooLarge { .. }), "{e}");
    let many = format!(
        "<services-config>{}</services-config>",
        "<a/>".repeat(30_000)
    );
    let e = run(&write(&d, "many.xml", &many));
    assert!(e.to_string().contains("more than 20000 elements"), "{e}");
}

#[test]
fn include_cycles_and_missing_includes_are_errors() {
    let d = dir("includes");
    write(
        &d,
        "a.xml",
        "<services><service-include file-path=\"b.xml\"/></services>",
    );
    write(
        &d,
        "b.xml",
        "<services><service-include file-path=\"a.xml\"/></services>",
    );
    let root = write(
        &d,
        "services-config.xml",
        "<services-config><services><service-include file-path=\"a.xml\"/></services></services-config>",
    );
    let e = run(&root);
    assert!(matches!(e, ImportError::IncludedTwice { .. }), "{e}");
    assert!(e.to_string().contains("a.xml: included again by"), "{e}");
    assert!(
        e.to_string().contains("b.xml:1: services/service-include"),
        "{e}"
    );

    let missing = write(
        &d,
        "missing.xml",
        "<services-config><services>\n<service-include file-path=\"nope.xml\"/></services></services-config>",
    );
    let e = run(&missing);
    assert!(matches!(e, ImportError::Read { .. }), "{e}");
    assert!(e.to_string().contains("nope.xml"), "{e}");

    let bad_root = write(
        &d,
        "badroot.xml",
        "<services-config><services><service-include file-path=\"services-config.xml\"/></services></services-config>",
    );
    let e = run(&bad_root);
    assert!(
        e.to_string()
            .contains("the root element is <services-config>, expected <services> or <service>"),
        "{e}"
    );
}

#[test]
fn broken_references_and_values_name_the_element() {
    let d = dir("refs");
    let e = run(&write(
        &d,
        "services-config.xml",
        "<services-config><services>\n<service id=\"m\" class=\"flex.messaging.services.MessageService\">\n\
         <destination id=\"x\" channels=\"nope\"/></service></services></services-config>",
    ));
    assert_eq!(
        e.to_string(),
        format!(
            "{}:3: services-config/services/service[m]/destination[x]: no channel 'nope'",
            d.join("services-config.xml").display()
        )
    );
    let e = run(&write(
        &d,
        "number.xml",
        "<services-config><flex-client><timeout-minutes>soon</timeout-minutes></flex-client></services-config>",
    ));
    assert!(
        e.to_string().contains("'soon' is not a whole number"),
        "{e}"
    );
    let e = run(&write(&d, "root.xml", "<services/>"));
    assert!(e.to_string().contains("expected <services-config>"), "{e}");
    let e = run(&write(
        &d,
        "broken.xml",
        "<services-config><a></b></services-config>",
    ));
    assert!(matches!(e, ImportError::Xml { .. }), "{e}");
}
