//! Documents on demand: a declaration opened (or loaded ahead) whose documents this
//! PC did not download ahead gets them now, and the screen shows how far along they are.

use super::Desk;
use crate::access;
use crate::error::{AppError, ErrorCode};
use crate::ipc::{DownloadAnswer, DownloadProgress};

impl Desk {
    /// Downloads now the documents of a declaration of the office that are not on
    /// this PC (none: nothing to do). Offline, it says so and the screen waits.
    pub async fn download_documents(&self, id: &str) -> Result<DownloadAnswer, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let office = s.info.office_code.clone();
        let owner = {
            let id = id.to_owned();
            s.on_cache(move |c| c.office_of(&id)).await?
        };
        // Another office's declaration is as good as absent.
        if owner.as_deref() != Some(office.as_str()) {
            return Err(AppError::declaration_not_here());
        }
        let report = bhxh_sync::round::fetch_for(&*s, vec![id.to_owned()], self.config.clock).await;
        match report {
            Ok(r) => {
                // What another download of them (a sync round) left missing counts too.
                let missing = {
                    let id = id.to_owned();
                    s.on_cache(move |c| Ok(c.documents_missing_of(&[id])?.len() as u32)).await?
                };
                Ok(DownloadAnswer { downloaded: r.documents_downloaded, failed: r.documents_failed, missing })
            }
            Err(e) if e.is_offline() => {
                tracing::warn!(error = %e, "documents not downloaded on demand");
                Err(AppError::new(
                    ErrorCode::Offline,
                    "Chưa tải được giấy tờ của hồ sơ này: không kết nối được máy chủ trung tâm. Sẽ tải tiếp khi có mạng.",
                    "This declaration's documents could not be downloaded: the central server cannot be reached. The download goes on when the network is back.",
                ))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// How far along a declaration's documents are (polled by the screen while they download).
    pub fn download_progress(&self, id: &str) -> Result<DownloadProgress, AppError> {
        let s = self.view::<access::Reviewer>()?;
        let p = s.downloads.progress(id).unwrap_or_default();
        Ok(DownloadProgress {
            documents: p.documents,
            documents_done: p.documents_done,
            bytes: p.bytes,
            bytes_done: p.bytes_done,
            running: p.running,
        })
    }
}
