use serde_json::json;

use super::*;

const COLUMNS: &[Column] = &[
    Column::new("index", &["i", "idx"], Kind::Text, "index name"),
    Column::new("status", &["s"], Kind::Text, "open/close status"),
    Column::new(
        "docs.count",
        &["dc", "docsCount"],
        Kind::Number,
        "available docs",
    ),
    Column::new("store.size", &["ss"], Kind::Bytes, "store size").hidden(),
];

fn table() -> Table {
    let row = |i: &str, s: &str, dc: i64, ss: u64| {
        vec![
            Cell::text(i),
            Cell::text(s),
            Cell::Number(dc),
            Cell::Bytes(ss),
        ]
    };
    Table {
        columns: COLUMNS,
        rows: vec![
            row("catfix-b", "open", 1, 225),
            row("catfix-a", "open", 3, 4608),
            row("catfix-long-name", "close", 12, 1024),
        ],
    }
}

fn opts(h: &str, s: &str, v: bool) -> Options {
    let list = |x: &str| {
        x.split(',')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect()
    };
    Options {
        headers: list(h),
        sort: list(s),
        verbose: v,
        ..Options::default()
    }
}

fn text(t: &Table, o: &Options) -> String {
    match render(t, o).unwrap() {
        Rendered::Text(s) => s,
        Rendered::Json(v) => panic!("expected text, got {v}"),
    }
}

#[test]
fn default_columns_align_numbers_right_and_do_not_pad_the_last_text_column() {
    let out = text(&table(), &opts("", "", true));
    assert_eq!(
        out,
        "index            status docs.count\n\
         catfix-b         open            1\n\
         catfix-a         open            3\n\
         catfix-long-name close          12\n"
    );
}

#[test]
fn without_v_there_is_no_header_line_and_widths_ignore_headers() {
    let out = text(&table(), &opts("i,dc", "i", false));
    assert_eq!(
        out,
        "catfix-a          3\ncatfix-b          1\ncatfix-long-name 12\n"
    );
}

#[test]
fn aliases_are_displayed_as_asked() {
    let out = text(&table(), &opts("i,s,dc", "index", true));
    assert_eq!(
        out,
        "i                s     dc\n\
         catfix-a         open   3\n\
         catfix-b         open   1\n\
         catfix-long-name close 12\n"
    );
}

#[test]
fn unknown_headers_are_dropped_and_wildcards_expand() {
    let out = text(&table(), &opts("index,foo", "index", false));
    assert_eq!(out, "catfix-a\ncatfix-b\ncatfix-long-name\n");
    let Rendered::Json(v) = render(
        &table(),
        &Options {
            format: Some("json".into()),
            ..opts("docs*,i", "i", false)
        },
    )
    .unwrap() else {
        panic!("json expected")
    };
    assert_eq!(v[0], json!({"docs.count": "3", "i": "catfix-a"}));
}

#[test]
fn sort_is_typed_multi_key_and_reversible() {
    let out = text(
        &table(),
        &opts("index,docs.count", "docs.count:desc", false),
    );
    assert_eq!(
        out,
        "catfix-long-name 12\ncatfix-a          3\ncatfix-b          1\n"
    );
    let out = text(&table(), &opts("index", "status:asc,index:desc", false));
    assert_eq!(out, "catfix-long-name\ncatfix-b\ncatfix-a\n");
}

#[test]
fn an_unknown_sort_key_is_refused() {
    let e = render(&table(), &opts("", "nope", false)).unwrap_err();
    assert_eq!(e.status, 400);
    assert_eq!(
        e.body()["error"]["reason"],
        "Unable to sort by unknown sort key `nope`"
    );
}

#[test]
fn bytes_are_human_readable_or_in_the_requested_unit() {
    assert_eq!(human_bytes(225), "225b");
    assert_eq!(human_bytes(1024), "1kb");
    assert_eq!(human_bytes(4608), "4.5kb");
    assert_eq!(human_bytes(1_572_864), "1.5mb");
    let out = text(&table(), &opts("i,ss", "i", false));
    assert_eq!(
        out,
        "catfix-a         4.5kb\ncatfix-b          225b\ncatfix-long-name   1kb\n"
    );
    let with_unit = Options {
        bytes: Some("b".into()),
        ..opts("ss", "ss", false)
    };
    assert_eq!(text(&table(), &with_unit), " 225\n1024\n4608\n");
    let bad = Options {
        bytes: Some("zb".into()),
        ..Options::default()
    };
    assert_eq!(render(&table(), &bad).unwrap_err().status, 400);
}

#[test]
fn json_and_yaml_render_strings_and_nulls() {
    let t = Table {
        columns: COLUMNS,
        rows: vec![vec![
            Cell::text("x"),
            Cell::text("close"),
            Cell::Null,
            Cell::Null,
        ]],
    };
    let json_opts = Options {
        format: Some("json".into()),
        ..Options::default()
    };
    assert_eq!(
        render(&t, &json_opts).unwrap(),
        Rendered::Json(json!([{"index": "x", "status": "close", "docs.count": null}]))
    );
    let yaml_opts = Options {
        format: Some("yaml".into()),
        ..opts("index,dc", "", false)
    };
    assert_eq!(
        render(&t, &yaml_opts).unwrap(),
        Rendered::Text("---\n- index: \"x\"\n  dc: null\n".into())
    );
    let empty = Table {
        columns: COLUMNS,
        rows: vec![],
    };
    assert_eq!(
        render(&empty, &yaml_opts).unwrap(),
        Rendered::Text("--- []\n".into())
    );
    assert_eq!(text(&empty, &opts("", "", false)), "");
}

#[test]
fn help_lists_every_column_aligned() {
    let help = Options {
        help: true,
        ..Options::default()
    };
    assert_eq!(
        text(&table(), &help),
        "index      | i,idx        | index name\n\
         status     | s            | open/close status\n\
         docs.count | dc,docsCount | available docs\n\
         store.size | ss           | store size\n"
    );
}

#[test]
fn glob_matches_stars_anywhere() {
    assert!(glob("docs.*", "docs.count"));
    assert!(glob("*count", "docs.count"));
    assert!(glob("d*c*t", "docs.count"));
    assert!(!glob("store*", "docs.count"));
    assert!(glob("*", "x"));
}
