//! Waiting for many simulated clients to be set up: the first failure
//! ends the wait.

use tokio::sync::mpsc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What one client task reports once its setup is over.
pub(crate) type Outcome<T> = Result<T, BoxError>;

/// Why not every client was set up.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SetupError {
    /// A client reported a failure (the first one reported).
    #[error("only {ready} of {expected} {what} set up; one failed: {cause}")]
    Failed {
        ready: usize,
        expected: usize,
        what: &'static str,
        cause: BoxError,
    },
    /// Every client task ended, some without reporting (a panic).
    #[error("only {ready} of {expected} {what} set up; the others ended without a report")]
    Vanished {
        ready: usize,
        expected: usize,
        what: &'static str,
    },
}

/// Collects `expected` outcomes from `rx` (`what` names the clients in
/// the error). Returns at the first failure without waiting for the other
/// clients: those already set up wait for a signal the caller sends only
/// after this returns, so waiting for every task to end would hang.
pub(crate) async fn gather<T>(
    rx: &mut mpsc::Receiver<Outcome<T>>,
    expected: usize,
    what: &'static str,
) -> Result<Vec<T>, SetupError> {
    let mut ready = Vec::with_capacity(expected);
    while ready.len() < expected {
        match rx.recv().await {
            Some(Ok(t)) => ready.push(t),
            Some(Err(cause)) => {
                return Err(SetupError::Failed {
                    ready: ready.len(),
                    expected,
                    what,
                    cause,
                })
            }
            None => {
                return Err(SetupError::Vanished {
                    ready: ready.len(),
                    expected,
                    what,
                })
            }
        }
    }
    Ok(ready)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::sync::watch;

    /// Clients that, once set up, wait for a go that only comes after
    /// every client was set up (as idle-polls' and fanout's do).
    fn clients(
        fail: Option<usize>,
        n: usize,
    ) -> (mpsc::Receiver<Outcome<usize>>, watch::Sender<bool>) {
        let (tx, rx) = mpsc::channel(n);
        let (go_tx, go_rx) = watch::channel(false);
        for i in 0..n {
            let (tx, mut go_rx) = (tx.clone(), go_rx.clone());
            tokio::spawn(async move {
                if fail == Some(i) {
                    let _ = tx.send(Err("refused".into())).await;
                    return;
                }
                let _ = tx.send(Ok(i)).await;
                let _ = go_rx.wait_for(|go| *go).await;
            });
        }
        (rx, go_tx)
    }

    #[tokio::test]
    async fn every_client_set_up() {
        let (mut rx, _go) = clients(None, 5);
        let mut ids = gather(&mut rx, 5, "clients").await.unwrap();
        ids.sort_unstable();
        assert_eq!(ids, vec![0, 1, 2, 3, 4]);
    }

    #[tokio::test]
    async fn one_failure_ends_the_wait_while_the_others_still_wait() {
        let (mut rx, _go) = clients(Some(3), 5);
        // The timeout only guards against a hang.
        let got = tokio::time::timeout(Duration::from_secs(10), gather(&mut rx, 5, "clients"))
            .await
            .expect("gather returned");
        let e = got.unwrap_err().to_string();
        assert!(
            e.contains("of 5 clients set up; one failed: refused"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn tasks_that_end_without_a_report() {
        let (tx, mut rx) = mpsc::channel::<Outcome<()>>(2);
        tx.send(Ok(())).await.unwrap();
        drop(tx);
        let e = gather(&mut rx, 2, "clients").await.unwrap_err();
        assert!(
            matches!(
                e,
                SetupError::Vanished {
                    ready: 1,
                    expected: 2,
                    ..
                }
            ),
            "{e}"
        );
    }
}
