//! `vpcsim`: trace packets through AWS networks from the command line.
//!
//! Exit codes: 0 whenever the analysis ran (whatever the verdict), 2 for bad input with
//! a one-line located message on stderr. No partial JSON is ever printed.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vpcsim_core::ffi;
use vpcsim_core::scenario::ProbeDoc;
use vpcsim_core::{Network, Scenario};

#[derive(Parser)]
#[command(
    name = "vpcsim",
    version,
    about = "Trace packets hop by hop through AWS VPC networks: security groups, network ACLs, routes, gateways, endpoints and SageMaker"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Trace one packet and its response
    #[command(
        after_help = "Examples:\n  vpcsim trace scenario.json --from i-web --to sagemaker:endpoint/churn --port 443\n  vpcsim trace scenario.json --from internet --to i-bastion --port 22 --format json\n  vpcsim trace scenario.json --from i-web --to 10.0.1.20 --protocol icmp --icmp-type 8 --icmp-code 0"
    )]
    Trace {
        /// A scenario file (vpcsim format v1)
        input: PathBuf,
        /// Source: a resource id (i-..., eni-...), sagemaker:KIND/NAME, an IP address, or `internet`
        #[arg(long)]
        from: String,
        /// Destination: as --from, plus service:NAME (service:s3)
        #[arg(long)]
        to: String,
        /// tcp, udp, icmp, icmpv6, all, or a protocol number 0-255
        #[arg(long, default_value = "tcp")]
        protocol: String,
        /// Destination port (TCP/UDP)
        #[arg(long)]
        port: Option<u16>,
        /// Source port (default 49152, an ephemeral port)
        #[arg(long)]
        src_port: Option<u16>,
        /// ICMP type (default 8, echo request)
        #[arg(long)]
        icmp_type: Option<u8>,
        /// ICMP code (default 0)
        #[arg(long)]
        icmp_code: Option<u8>,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the diagnostics of a scenario
    #[command(after_help = "Examples:\n  vpcsim check scenario.json")]
    Check {
        /// A scenario file
        input: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Trace every probe of a scenario and compare with its expectations
    #[command(after_help = "Examples:\n  vpcsim probes scenario.json")]
    Probes {
        /// A scenario file
        input: PathBuf,
    },
}

fn fail(message: String) -> ExitCode {
    eprintln!("vpcsim: {message}");
    ExitCode::from(2)
}

fn read_scenario(path: &Path) -> Result<Scenario, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if meta.len() > ffi::MAX_INPUT_BYTES as u64 {
        return Err(format!(
            "{}: the file is {} bytes, more than the {} bytes vpcsim reads",
            path.display(),
            meta.len(),
            ffi::MAX_INPUT_BYTES
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    ffi::load_scenario(&text).map_err(|errors| {
        let first = errors.first().map(|d| format!("{} at {}: {} ({})", d.code, d.at, d.message, d.help)).unwrap_or_default();
        format!("{}: {first}", path.display())
    })
}

fn colour(text: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Trace { input, from, to, protocol, port, src_port, icmp_type, icmp_code, format } => {
            let scenario = match read_scenario(&input) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let (net, diags) = Network::build(&scenario);
            let probe = ProbeDoc { from, to, protocol, port, src_port, icmp_type, icmp_code, ..ProbeDoc::default() };
            let trace = match vpcsim_core::eval::trace_at(&net, &probe, "--") {
                Ok(t) => t,
                Err(d) => return fail(format!("{}: {} at {}: {} ({})", input.display(), d.code, d.at, d.message, d.help)),
            };
            match format {
                Format::Json => match serde_json::to_string_pretty(&trace) {
                    Ok(s) => println!("{s}"),
                    Err(e) => return fail(format!("cannot serialize the trace: {e}")),
                },
                Format::Text => {
                    let tty = std::io::stdout().is_terminal();
                    for d in diags.iter().filter(|d| d.severity >= vpcsim_core::Severity::Warning) {
                        eprintln!("{d}");
                    }
                    for line in trace.to_string().lines() {
                        let line = if line.contains('✓') {
                            colour(line, "32", tty)
                        } else if line.contains('✗') || line.contains("DROPPED") {
                            colour(line, "31", tty)
                        } else if line.starts_with("request") || line.starts_with("response") {
                            colour(line, "1", tty)
                        } else {
                            line.to_owned()
                        };
                        println!("{line}");
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Command::Check { input, format } => {
            let scenario = match read_scenario(&input) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let (_, diags) = Network::build(&scenario);
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&diags).unwrap_or_default()),
                Format::Text => {
                    if diags.is_empty() {
                        println!("no problems found");
                    }
                    for d in &diags {
                        println!("{}: {d}", input.display());
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Command::Probes { input } => {
            let scenario = match read_scenario(&input) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let (net, _) = Network::build(&scenario);
            let results = ffi::run_probes(&scenario, &net);
            let mut bad = 0;
            for r in &results {
                let verdict = r
                    .trace
                    .as_ref()
                    .map(|t| {
                        format!(
                            "request {}, response {}",
                            t.request.outcome,
                            t.response.as_ref().map(|x| x.outcome.as_str()).unwrap_or("none")
                        )
                    })
                    .unwrap_or_else(|| "error".into());
                let ok = r.error.is_none() && r.mismatches.is_empty();
                if !ok {
                    bad += 1;
                }
                println!("{} probe {} {}: {verdict}", if ok { "ok  " } else { "FAIL" }, r.index, r.name);
                for m in &r.mismatches {
                    println!("       {m}");
                }
                if let Some(e) = &r.error {
                    println!("       {e}");
                }
            }
            println!("{} passed, {} failed", results.len() - bad, bad);
            if bad > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}
