fn main() {
    // Declaring the app's commands makes Tauri generate one permission per command
    // (`allow-login`, …): the window's capability then lists exactly those.
    let commands = &[
        "prefill",
        "login",
        "logout",
        "status",
        "sync_now",
        "queue",
        "declaration",
        "lock",
        "unlock",
        "decide",
        "withdraw",
        "outbox",
        "acknowledge",
        "reasons",
        "take",
        "take_batch",
        "import_paper",
        "paper_stack",
        "match_paper",
        "viewer_prefs",
        "set_viewer_prefs",
        "lookup",
        "citizen_card",
        "log_call",
        "dashboard",
        "set_quota",
        "export_table",
        "take_away",
        "hand_over",
        "reminder_letters",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri build script");
}
