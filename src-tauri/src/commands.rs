//! Tauri commands: convert, delegate to `Desk`, return `{code, message}` errors.
//!
//! Every command runs off the main thread (`async`, or `command(async)` for the
//! plain ones): on Linux the main thread is GTK's, which paints the window, and a
//! queue decrypted or a password stretched there would freeze the screen.

use bhxh_desk_core::ipc::*;
use bhxh_desk_core::{AppError, Desk, ErrorCode};
use std::sync::Arc;
use tauri::State;

type Res<T> = Result<T, AppError>;
type DeskState<'a> = State<'a, Arc<Desk>>;

#[tauri::command(async)]
pub fn prefill(desk: DeskState<'_>) -> Res<Prefill> {
    desk.prefill()
}

#[tauri::command]
pub async fn login(desk: DeskState<'_>, input: LoginInput) -> Res<SessionInfo> {
    desk.login(input).await
}

#[tauri::command(async)]
pub fn logout(desk: DeskState<'_>) -> Res<()> {
    desk.logout();
    Ok(())
}

#[tauri::command(async)]
pub fn status(desk: DeskState<'_>) -> Res<StatusInfo> {
    desk.status()
}

#[tauri::command]
pub async fn sync_now(desk: DeskState<'_>) -> Res<SyncSummary> {
    desk.sync_now().await
}

#[tauri::command(async)]
pub fn queue(desk: DeskState<'_>) -> Res<Vec<QueueItem>> {
    desk.queue()
}

#[tauri::command(async)]
pub fn declaration(desk: DeskState<'_>, input: IdInput) -> Res<DeclarationView> {
    desk.declaration(&input.id)
}

#[tauri::command(async)]
pub fn lock(desk: DeskState<'_>) -> Res<()> {
    desk.lock()
}

#[tauri::command(async)]
pub fn unlock(desk: DeskState<'_>, input: UnlockInput) -> Res<()> {
    desk.unlock(&input.password)
}

#[tauri::command(async)]
pub fn decide(desk: DeskState<'_>, input: DecideInput) -> Res<DecisionReceipt> {
    desk.decide(input)
}

#[tauri::command(async)]
pub fn withdraw(desk: DeskState<'_>, input: KeyInput) -> Res<()> {
    desk.withdraw(&input.key)
}

#[tauri::command(async)]
pub fn outbox(desk: DeskState<'_>) -> Res<Vec<OutboxView>> {
    desk.outbox()
}

#[tauri::command(async)]
pub fn acknowledge(desk: DeskState<'_>, input: KeyInput) -> Res<()> {
    desk.acknowledge(&input.key)
}

#[tauri::command(async)]
pub fn reasons(desk: DeskState<'_>) -> Res<Vec<ReasonView>> {
    desk.reasons()
}

#[tauri::command]
pub async fn take(desk: DeskState<'_>, input: IdInput) -> Res<TakeResult> {
    desk.take(&input.id).await
}

#[tauri::command]
pub async fn take_batch(desk: DeskState<'_>, input: TakeBatchInput) -> Res<TakeBatchResult> {
    desk.take_batch(input.count).await
}

/// The file's bytes arrive raw (an `ArrayBuffer` from the page), not as JSON or base64.
#[tauri::command]
pub async fn import_paper(desk: DeskState<'_>, request: tauri::ipc::Request<'_>) -> Res<ImportSummary> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::new(
            ErrorCode::Validation,
            "Không nhận được nội dung tệp.",
            "The file's content did not arrive.",
        ));
    };
    let (desk, bytes) = (desk.inner().clone(), bytes.clone());
    // Rendering and reading a stack takes seconds: never on the UI thread.
    tauri::async_runtime::spawn_blocking(move || desk.import_paper(&bytes)).await.map_err(AppError::internal)?
}

#[tauri::command]
pub async fn paper_stack(desk: DeskState<'_>, input: StackInput) -> Res<ImportSummary> {
    let desk = desk.inner().clone();
    tauri::async_runtime::spawn_blocking(move || desk.paper_stack(&input.sha256)).await.map_err(AppError::internal)?
}

#[tauri::command]
pub async fn match_paper(desk: DeskState<'_>, input: MatchPaperInput) -> Res<()> {
    let desk = desk.inner().clone();
    tauri::async_runtime::spawn_blocking(move || desk.match_paper(input)).await.map_err(AppError::internal)?
}

#[tauri::command(async)]
pub fn viewer_prefs(desk: DeskState<'_>) -> Res<ViewerPrefs> {
    desk.viewer_prefs()
}

#[tauri::command(async)]
pub fn set_viewer_prefs(desk: DeskState<'_>, input: ViewerPrefs) -> Res<()> {
    desk.set_viewer_prefs(input)
}

#[tauri::command]
pub async fn lookup(desk: DeskState<'_>, input: LookupInput) -> Res<LookupResult> {
    desk.lookup(input).await
}

#[tauri::command]
pub async fn citizen_card(desk: DeskState<'_>, input: CardInput) -> Res<CitizenCard> {
    desk.citizen_card(input).await
}

#[tauri::command]
pub async fn log_call(desk: DeskState<'_>, input: LogCallInput) -> Res<LogCallResult> {
    desk.log_call(input).await
}

#[tauri::command(async)]
pub fn dashboard(desk: DeskState<'_>, input: DashboardInput) -> Res<Dashboard> {
    desk.dashboard(input)
}

#[tauri::command]
pub async fn set_quota(desk: DeskState<'_>, input: QuotaInput) -> Res<Dashboard> {
    desk.set_quota(input).await
}

#[tauri::command(async)]
pub fn export_table(desk: DeskState<'_>, input: ExportInput) -> Res<ExportResult> {
    desk.export_table(input)
}

#[tauri::command]
pub async fn take_away(desk: DeskState<'_>, input: IdInput) -> Res<Dashboard> {
    desk.take_away(&input.id).await
}

#[tauri::command]
pub async fn hand_over(desk: DeskState<'_>, input: HandOverInput) -> Res<Dashboard> {
    desk.hand_over(input).await
}

#[tauri::command]
pub async fn reminder_letters(desk: DeskState<'_>, input: LetterInput) -> Res<LetterResult> {
    desk.reminder_letters(input).await
}
