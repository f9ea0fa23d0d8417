//! Runnable otpkit examples (work in progress).
