//! Every IPC command by name, with JSON in and out: what the Tauri shell's typed
//! commands do, callable without a window. The role-matrix test drives the app
//! through it, so a command reachable from the window is reachable here too.

use crate::Desk;
use crate::error::{AppError, ErrorCode};
use crate::ipc::{
    CardInput, DashboardInput, DecideInput, ExportInput, HandOverInput, IdInput, ImportPaperInput, KeyInput,
    LetterInput, LogCallInput, LoginInput, LookupInput, MatchPaperInput, QuotaInput, StackInput, TakeBatchInput,
    UnlockInput, ViewerPrefs,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn input<T: DeserializeOwned>(args: Value) -> Result<T, AppError> {
    serde_json::from_value(args).map_err(|e| {
        tracing::warn!(error = %e, "malformed command input");
        AppError::new(
            ErrorCode::Validation,
            "Dữ liệu gửi lên không đúng định dạng.",
            "The data sent is not in the expected format.",
        )
    })
}

fn output<T: Serialize>(v: T) -> Result<Value, AppError> {
    serde_json::to_value(v).map_err(AppError::internal)
}

/// Runs `command` with `args` (the command's input object, or `null`).
pub async fn invoke(desk: &Desk, command: &str, args: Value) -> Result<Value, AppError> {
    match command {
        "prefill" => output(desk.prefill()?),
        "login" => output(desk.login(input::<LoginInput>(args)?).await?),
        "logout" => {
            desk.logout();
            output(())
        }
        "status" => output(desk.status()?),
        "sync_now" => output(desk.sync_now().await?),
        "queue" => output(desk.queue()?),
        "declaration" => output(desk.declaration(&input::<IdInput>(args)?.id)?),
        "lock" => output(desk.lock()?),
        "unlock" => output(desk.unlock(&input::<UnlockInput>(args)?.password)?),
        "decide" => output(desk.decide(input::<DecideInput>(args)?)?),
        "withdraw" => output(desk.withdraw(&input::<KeyInput>(args)?.key)?),
        "outbox" => output(desk.outbox()?),
        "reasons" => output(desk.reasons()?),
        "take" => output(desk.take(&input::<IdInput>(args)?.id).await?),
        "take_batch" => output(desk.take_batch(input::<TakeBatchInput>(args)?.count).await?),
        "acknowledge" => output(desk.acknowledge(&input::<KeyInput>(args)?.key)?),
        "import_paper" => output(desk.import_paper(&input::<ImportPaperInput>(args)?.pdf)?),
        "paper_stack" => output(desk.paper_stack(&input::<StackInput>(args)?.sha256)?),
        "match_paper" => output(desk.match_paper(input::<MatchPaperInput>(args)?)?),
        "viewer_prefs" => output(desk.viewer_prefs()?),
        "set_viewer_prefs" => output(desk.set_viewer_prefs(input::<ViewerPrefs>(args)?)?),
        "lookup" => output(desk.lookup(input::<LookupInput>(args)?).await?),
        "citizen_card" => output(desk.citizen_card(input::<CardInput>(args)?).await?),
        "log_call" => output(desk.log_call(input::<LogCallInput>(args)?).await?),
        "dashboard" => output(desk.dashboard(input::<DashboardInput>(args)?)?),
        "set_quota" => output(desk.set_quota(input::<QuotaInput>(args)?).await?),
        "export_table" => output(desk.export_table(input::<ExportInput>(args)?)?),
        "take_away" => output(desk.take_away(&input::<IdInput>(args)?.id).await?),
        "hand_over" => output(desk.hand_over(input::<HandOverInput>(args)?).await?),
        "reminder_letters" => output(desk.reminder_letters(input::<LetterInput>(args)?).await?),
        other => Err(AppError::new(
            ErrorCode::NotFound,
            format!("Không có lệnh \"{other}\"."),
            format!("There is no command \"{other}\"."),
        )),
    }
}
