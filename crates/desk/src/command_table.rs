// The app's commands, each declared once: name, input, output, who may call it,
// how it runs, and the `Desk` call behind it. Everything else is generated from
// this table: the typed functions and `dispatch` (`crate::api`), the access rule
// and the role matrix's command list, the UI's `CommandSchema`, and in the Tauri
// shell the commands, their handler, their permissions and the window's
// capability (`src-tauri/build.rs` includes this file).
//
// Who: `Anyone` (the login screen), `Identified` (logged in, locked or not),
// `Session` (any open session), `Reviewer` (officer or supervisor), `Supervisor`,
// `Helpdesk`. How: `blocking` (runs on a blocking thread; cache work, PDF reading),
// `awaits` (talks to the central service), `raw` (`blocking`, and the window sends
// the input's bytes raw rather than as JSON).
//
// Adding a command: one line here and its `Desk` method.

/// Calls `$then!` with the command table (a callback macro: the generators are
/// written where their output is needed, the table only here).
#[macro_export]
macro_rules! command_table {
    ($then:ident) => {
        $then! {
            /// What the login screen starts with.
            prefill: () => Prefill, Anyone, blocking |desk, _input| desk.prefill();
            login: LoginInput => SessionInfo, Anyone, awaits |desk, input| desk.login(input).await;
            /// The version, the system, each setting and where it came from (IT on the phone).
            about: () => AboutInfo, Anyone, blocking |desk, _input| Ok(desk.about());
            /// The logs and versions zipped into the export folder for IT: no cache, no key.
            support_bundle: () => SupportBundle, Anyone, blocking |desk, _input| desk.support_bundle();
            logout: () => (), Anyone, blocking |desk, _input| { desk.logout(); Ok(()) };
            /// Polled by the window every few seconds; answers while locked.
            status: () => StatusInfo, Anyone, blocking |desk, _input| desk.status();
            /// Each role syncs what it works on: reviewers the declarations, the helpdesk the directory.
            sync_now: () => SyncSummary, Session, awaits |desk, _input| desk.sync_now().await;
            lock: () => (), Identified, blocking |desk, _input| desk.lock();
            /// The person's own input (a key, a click, the wheel), sent by the window at most
            /// every half minute: the only thing that keeps the idle lock away.
            activity: () => (), Session, blocking |desk, _input| desk.activity();
            unlock: UnlockInput => (), Identified, blocking |desk, input| desk.unlock(&input.password);
            queue: () => Vec<QueueItem>, Reviewer, blocking |desk, _input| desk.queue();
            declaration: IdInput => DeclarationView, Reviewer, blocking |desk, input| desk.declaration(&input.id);
            /// The next declaration's view loaded ahead: its opening is audited when it is shown.
            declaration_ahead: IdInput => DeclarationView, Reviewer, blocking |desk, input| desk.declaration_ahead(&input.id);
            /// A declaration's documents not on this PC, downloaded now (it was opened or is next).
            download_documents: IdInput => DownloadAnswer, Reviewer, awaits
                |desk, input| desk.download_documents(&input.id).await;
            /// How far along they are: polled while they download, for the progress bar.
            download_progress: IdInput => DownloadProgress, Reviewer, blocking
                |desk, input| desk.download_progress(&input.id);
            decide: DecideInput => DecisionReceipt, Reviewer, blocking |desk, input| desk.decide(input);
            withdraw: KeyInput => (), Reviewer, blocking |desk, input| desk.withdraw(&input.key);
            outbox: () => Vec<OutboxView>, Reviewer, blocking |desk, _input| desk.outbox();
            acknowledge: KeyInput => (), Reviewer, blocking |desk, input| desk.acknowledge(&input.key);
            reasons: () => Vec<ReasonView>, Reviewer, blocking |desk, _input| desk.reasons();
            take: IdInput => TakeResult, Reviewer, awaits |desk, input| desk.take(&input.id).await;
            take_batch: TakeBatchInput => TakeBatchResult, Reviewer, awaits
                |desk, input| desk.take_batch(input.count).await;
            import_paper: ImportPaperInput => ImportSummary, Reviewer, raw |desk, input| desk.import_paper(&input.pdf);
            paper_stack: StackInput => ImportSummary, Reviewer, blocking |desk, input| desk.paper_stack(&input.sha256);
            match_paper: MatchPaperInput => (), Reviewer, blocking |desk, input| desk.match_paper(input);
            /// The office's paper-form rule as the last sync saw it (shown to the officer).
            paper_rule: () => PaperRuleView, Reviewer, blocking |desk, _input| desk.paper_rule();
            set_paper_rule: PaperRule => PaperRuleView, Supervisor, awaits
                |desk, input| desk.set_paper_rule(input).await;
            /// A preference of the person, whatever the role.
            viewer_prefs: () => ViewerPrefs, Session, blocking |desk, _input| desk.viewer_prefs();
            set_viewer_prefs: ViewerPrefs => (), Session, blocking |desk, input| desk.set_viewer_prefs(input);
            /// The helpdesk console works on the masked directory only.
            lookup: LookupInput => LookupResult, Helpdesk, awaits |desk, input| desk.lookup(input).await;
            citizen_card: CardInput => CitizenCard, Helpdesk, awaits |desk, input| desk.citizen_card(input).await;
            log_call: LogCallInput => LogCallResult, Helpdesk, awaits |desk, input| desk.log_call(input).await;
            /// The dashboard: the supervisor's alone (officers cannot open it).
            dashboard: DashboardInput => Dashboard, Supervisor, blocking |desk, input| desk.dashboard(input);
            set_quota: QuotaInput => Dashboard, Supervisor, awaits |desk, input| desk.set_quota(input).await;
            export_table: ExportInput => ExportResult, Supervisor, blocking |desk, input| desk.export_table(input);
            /// Exports and letters go to a folder the person chose, outside the data folder.
            export_folder: () => ExportFolderView, Supervisor, blocking |desk, _input| desk.export_folder();
            choose_export_folder: () => ExportFolderView, Supervisor, blocking
                |desk, _input| desk.choose_export_folder();
            delete_export: ExportNameInput => ExportFolderView, Supervisor, blocking
                |desk, input| desk.delete_export(input);
            /// A listed export in the system's viewer or its folder (the window names a file, never a path).
            open_export: OpenExportInput => (), Supervisor, blocking |desk, input| desk.open_export(input);
            move_old_exports: () => ExportFolderView, Supervisor, blocking |desk, _input| desk.move_old_exports();
            take_away: IdInput => Dashboard, Supervisor, awaits |desk, input| desk.take_away(&input.id).await;
            hand_over: HandOverInput => Dashboard, Supervisor, awaits |desk, input| desk.hand_over(input).await;
            reminder_letters: LetterInput => LetterResult, Supervisor, awaits
                |desk, input| desk.reminder_letters(input).await;
        }
    };
}
