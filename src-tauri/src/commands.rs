//! Tauri commands: convert, delegate to `Desk`, return `{code, message}` errors.

use bhxh_desk_core::ipc::*;
use bhxh_desk_core::{AppError, Desk};
use std::sync::Arc;
use tauri::State;

type Res<T> = Result<T, AppError>;
type DeskState<'a> = State<'a, Arc<Desk>>;

#[tauri::command]
pub fn prefill(desk: DeskState<'_>) -> Res<Prefill> {
    desk.prefill()
}

#[tauri::command]
pub async fn login(desk: DeskState<'_>, input: LoginInput) -> Res<SessionInfo> {
    desk.login(input).await
}

#[tauri::command]
pub fn logout(desk: DeskState<'_>) -> Res<()> {
    desk.logout();
    Ok(())
}

#[tauri::command]
pub fn status(desk: DeskState<'_>) -> Res<StatusInfo> {
    desk.status()
}

#[tauri::command]
pub async fn sync_now(desk: DeskState<'_>) -> Res<SyncSummary> {
    desk.sync_now().await
}

#[tauri::command]
pub fn queue(desk: DeskState<'_>) -> Res<Vec<QueueItem>> {
    desk.queue()
}

#[tauri::command]
pub fn declaration(desk: DeskState<'_>, input: IdInput) -> Res<DeclarationView> {
    desk.declaration(&input.id)
}

#[tauri::command]
pub fn lock(desk: DeskState<'_>) -> Res<()> {
    desk.lock()
}

#[tauri::command]
pub fn unlock(desk: DeskState<'_>, input: UnlockInput) -> Res<()> {
    desk.unlock(&input.password)
}

#[tauri::command]
pub fn decide(desk: DeskState<'_>, input: DecideInput) -> Res<DecisionReceipt> {
    desk.decide(input)
}

#[tauri::command]
pub fn withdraw(desk: DeskState<'_>, input: KeyInput) -> Res<()> {
    desk.withdraw(&input.key)
}

#[tauri::command]
pub fn outbox(desk: DeskState<'_>) -> Res<Vec<OutboxView>> {
    desk.outbox()
}

#[tauri::command]
pub fn acknowledge(desk: DeskState<'_>, input: KeyInput) -> Res<()> {
    desk.acknowledge(&input.key)
}

#[tauri::command]
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
