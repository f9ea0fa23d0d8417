//! otpkit against its peers and against the hash itself, in one binary and one run.
//!
//! Groups (criterion ids are `<group>/<implementation>[/<parameter>]`):
//! - `generate_<alg>`: the code at time T — otpkit `Totp::code_at`, a hand-keyed
//!   RustCrypto HMAC, totp-rs, totp-lite, libreauth.
//! - `verify_pm{1,10}_{valid,wrong}_<alg>`: verifying a typed code at T with a window
//!   of ±1 / ±10 steps — otpkit, totp-rs, libreauth (totp-lite cannot verify).
//! - `verify_window_sha1/<impl>/<w>`: a wrong code against windows of ±w steps,
//!   w ∈ {0,1,2,5,10,20,50}; criterion draws `report/lines.svg` (cost against w).
//!   `verify_window_sha1_otpkit` repeats otpkit's line alone, for its own chart.
//! - `verifier_enroll_sha1/otpkit/<w>`, `verifier_resync_sha1/otpkit/<w>`: the
//!   server-side `Verifier::enroll` from a pending enrolment (two consecutive codes
//!   searched within ±w steps)
//!   and `Verifier::resync` (a drifted device, codes at the window's far edge). No
//!   peer has these operations.
//! - `otpauth_parse`: reading an enrolment URI — otpkit `Account::parse`, totp-rs
//!   `Totp::from_url`.
//! - `floor`: the hash compression functions, six per iteration, as six independent
//!   states (the throughput bound), as one state chained six times (the latency
//!   bound), and as verify ±1's own shape: three independent inner compressions,
//!   then three outer ones each over its inner digest (`x3_then_x3`). One HMAC code
//!   costs two compressions, so verify ±1 costs six.
//!
//! Before anything is timed, every peer is checked to compute otpkit's codes and
//! verdicts (`Fixture::check_agreement`); a disagreement aborts the run.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, PlottingBackend, Throughput};
use otpkit::Window;
use otpkit_benches::{
    Alg, ENROL_WINDOWS, Fixture, RESYNC_WINDOWS, SWEEP, T, URI, VerifierCase, check_uri,
};

fn fixtures() -> Vec<Fixture> {
    Alg::ALL
        .into_iter()
        .map(|alg| {
            let f = Fixture::new(alg);
            if let Err(e) = f.check_agreement() {
                panic!("peers disagree, nothing would be comparable: {e}");
            }
            f
        })
        .collect()
}

fn generate(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group(format!("generate_{}", f.alg.name()));
    g.bench_function("otpkit", |b| b.iter(|| f.otpkit.code_at(black_box(T))));
    g.bench_function("hmac_hand_keyed", |b| {
        b.iter(|| f.hand.code_at(black_box(T)))
    });
    let rs = f.totp_rs(1);
    g.bench_function("totp-rs", |b| b.iter(|| rs.generate(black_box(T))));
    g.bench_function("totp-lite", |b| b.iter(|| f.totp_lite(black_box(T))));
    g.bench_function("libreauth", |b| {
        b.iter_batched_ref(
            || f.libreauth(T, 0),
            |totp| totp.generate(),
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn verify(c: &mut Criterion, f: &Fixture) {
    for half in [1u32, 10] {
        let skew = u16::try_from(half).expect("small");
        let rs = f.totp_rs(skew);
        for (kind, code) in [("valid", &f.valid), ("wrong", &f.wrong)] {
            let mut g = c.benchmark_group(format!("verify_pm{half}_{kind}_{}", f.alg.name()));
            let window = Window::symmetric(half).expect("a benchmarked window is inside the bound");
            g.bench_function("otpkit", |b| {
                b.iter(|| f.otpkit.verify(black_box(code), black_box(T), window))
            });
            g.bench_function("totp-rs", |b| {
                b.iter(|| rs.check(black_box(code), black_box(T)))
            });
            g.bench_function("libreauth", |b| {
                b.iter_batched_ref(
                    || f.libreauth(T, u64::from(half)),
                    |totp| totp.is_valid(black_box(code)),
                    BatchSize::SmallInput,
                )
            });
            g.finish();
        }
    }
}

/// Cost against window size: a wrong code (every candidate is computed) for
/// windows of ±w steps. Throughput is set to the 2w+1 candidates, so criterion
/// also reports the cost per candidate.
fn window_sweep(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group(format!("verify_window_{}", f.alg.name()));
    for half in SWEEP {
        g.throughput(Throughput::Elements(2 * u64::from(half) + 1));
        let window = Window::symmetric(half).expect("a benchmarked window is inside the bound");
        g.bench_with_input(BenchmarkId::new("otpkit", half), &half, |b, _| {
            b.iter(|| f.otpkit.verify(black_box(&f.wrong), black_box(T), window))
        });
        let rs = f.totp_rs(u16::try_from(half).expect("small"));
        g.bench_with_input(BenchmarkId::new("totp-rs", half), &half, |b, _| {
            b.iter(|| rs.check(black_box(&f.wrong), black_box(T)))
        });
        g.bench_with_input(BenchmarkId::new("libreauth", half), &half, |b, &half| {
            b.iter_batched_ref(
                || f.libreauth(T, u64::from(half)),
                |totp| totp.is_valid(black_box(&f.wrong)),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

/// The same sweep for otpkit alone, so criterion's chart of it is not dwarfed by the
/// peers' lines: this is the chart that shows otpkit's cost growing linearly.
fn window_sweep_otpkit(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group(format!("verify_window_{}_otpkit", f.alg.name()));
    for half in SWEEP {
        g.throughput(Throughput::Elements(2 * u64::from(half) + 1));
        let window = Window::symmetric(half).expect("a benchmarked window is inside the bound");
        g.bench_with_input(BenchmarkId::new("otpkit", half), &half, |b, _| {
            b.iter(|| f.otpkit.verify(black_box(&f.wrong), black_box(T), window))
        });
    }
    g.finish();
}

/// Enrolment and resynchronisation: otpkit's `Verifier` searches a wide window for
/// two consecutive codes.
fn verifier(c: &mut Criterion, f: &Fixture) {
    let cases: Vec<(u32, u32, VerifierCase)> = ENROL_WINDOWS
        .into_iter()
        .zip(RESYNC_WINDOWS)
        .map(|(e, r)| {
            let case = VerifierCase::new(f, e, r)
                .unwrap_or_else(|err| panic!("verifier inputs are wrong: {err}"));
            (e, r, case)
        })
        .collect();
    let mut g = c.benchmark_group(format!("verifier_enroll_{}", f.alg.name()));
    for (e, r, case) in &cases {
        let v = f.verifier(*e, *r);
        let pending = v.begin_enrollment();
        g.bench_with_input(BenchmarkId::new("otpkit", e), e, |b, _| {
            b.iter(|| {
                v.enroll(
                    black_box(&pending),
                    black_box(&case.enrol1),
                    black_box(&case.enrol2),
                    T,
                )
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group(format!("verifier_resync_{}", f.alg.name()));
    for (e, r, case) in &cases {
        let v = f.verifier(*e, *r);
        g.bench_with_input(BenchmarkId::new("otpkit", r), r, |b, _| {
            b.iter(|| {
                v.resync(
                    black_box(&case.before_resync),
                    black_box(&case.resync1),
                    black_box(&case.resync2),
                    T,
                )
            })
        });
    }
    g.finish();
}

fn otpauth(c: &mut Criterion) {
    if let Err(e) = check_uri() {
        panic!("URI parsers disagree: {e}");
    }
    let mut g = c.benchmark_group("otpauth_parse");
    g.bench_function("otpkit", |b| {
        b.iter(|| otpkit::otpauth::Account::parse(black_box(URI)))
    });
    g.bench_function("totp-rs", |b| {
        b.iter(|| totp_rs::Totp::from_url(black_box(URI)))
    });
    g.finish();
}

/// The floor: the compression functions alone, six calls per iteration
/// (`otpkit_benches::floor` says what each shape measures).
fn floor(c: &mut Criterion) {
    use otpkit_benches::floor::{self, blocks64, blocks128, states};
    let mut g = c.benchmark_group("floor");
    // The floor is the denominator of every "× floor" ratio and of the moonshot
    // target: measure it longer than the rest.
    g.sample_size(100).measurement_time(Duration::from_secs(3));
    // Distinct inputs so no two calls are the same computation.
    let (b64, b128) = (blocks64(), blocks128());

    g.bench_function("sha1_x6_independent", |b| {
        let mut s = states::<u32, 5>();
        b.iter(|| {
            floor::x6_independent(&mut s, &b64, sha1::block_api::compress);
            black_box(&s);
        })
    });
    g.bench_function("sha1_x6_chained", |b| {
        let mut s = [0u32; 5];
        b.iter(|| {
            floor::x6_chained(&mut s, &b64, sha1::block_api::compress);
            black_box(&s);
        })
    });
    g.bench_function("sha1_x3_then_x3", |b| {
        let [inner, outer, ..] = states::<u32, 5>();
        b.iter(|| floor::sha1_x3_then_x3(black_box(&inner), black_box(&outer), &b64))
    });
    g.bench_function("sha256_x6_independent", |b| {
        let mut s = states::<u32, 8>();
        b.iter(|| {
            floor::x6_independent(&mut s, &b64, sha2::block_api::compress256);
            black_box(&s);
        })
    });
    g.bench_function("sha256_x6_chained", |b| {
        let mut s = [0u32; 8];
        b.iter(|| {
            floor::x6_chained(&mut s, &b64, sha2::block_api::compress256);
            black_box(&s);
        })
    });
    g.bench_function("sha256_x3_then_x3", |b| {
        let [inner, outer, ..] = states::<u32, 8>();
        b.iter(|| floor::sha256_x3_then_x3(black_box(&inner), black_box(&outer), &b64))
    });
    g.bench_function("sha512_x6_chained", |b| {
        let mut s = [0u64; 8];
        b.iter(|| {
            floor::x6_chained(&mut s, &b128, sha2::block_api::compress512);
            black_box(&s);
        })
    });
    g.bench_function("sha512_x6_independent", |b| {
        let mut s = states::<u64, 8>();
        b.iter(|| {
            floor::x6_independent(&mut s, &b128, sha2::block_api::compress512);
            black_box(&s);
        })
    });
    g.bench_function("sha512_x3_then_x3", |b| {
        let [inner, outer, ..] = states::<u64, 8>();
        b.iter(|| floor::sha512_x3_then_x3(black_box(&inner), black_box(&outer), &b128))
    });
    g.finish();
}

fn all(c: &mut Criterion) {
    let fixtures = fixtures();
    floor(c);
    for f in &fixtures {
        generate(c, f);
        verify(c, f);
    }
    if let Some(sha1) = fixtures.iter().find(|f| f.alg == Alg::Sha1) {
        window_sweep(c, sha1);
        window_sweep_otpkit(c, sha1);
        verifier(c, sha1);
    }
    otpauth(c);
}

fn config() -> Criterion {
    // Short defaults so the whole run fits in a few minutes on a small machine;
    // benches/run.sh passes the same values explicitly.
    Criterion::default()
        .plotting_backend(PlottingBackend::Plotters)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(60)
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = all
}
criterion::criterion_main!(benches);
