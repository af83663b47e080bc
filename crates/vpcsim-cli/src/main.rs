//! `vpcsim`: trace packets through AWS networks from the command line, and list what
//! can reach what (`reach`).
//!
//! Exit codes: 0 whenever the analysis ran (whatever the verdict), 2 for bad input with
//! a one-line located message on stderr. No partial JSON is ever printed. `check` also
//! exits 1 when a finding at or above `--fail-on` exists.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vpcsim_core::ffi;
use vpcsim_core::lint::{self, Finding};
use vpcsim_core::scenario::ProbeDoc;
use vpcsim_core::{Diagnostic, Network, Scenario, Severity};

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

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum CheckFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Trace one packet and its response
    #[command(
        after_help = "Examples:\n  vpcsim trace scenario.json --from i-web --to sagemaker:endpoint/churn --port 443\n  vpcsim trace scenario.json --from internet --to i-bastion --port 22 --format json\n  vpcsim trace scenario.json --from i-web --to 10.0.1.20 --protocol icmp --icmp-type 8 --icmp-code 0\n  vpcsim trace ./aws_configs --from i-0abc --to pcx-0123 --port 5432"
    )]
    Trace {
        /// A scenario file, a folder of AWS CLI describe-* outputs, or a `terraform show -json` file
        input: PathBuf,
        /// Source: a resource id (i-, eni-, nat-, vpce-; igw- for the internet through that gateway; pcx- or tgw- for the far side of that gateway), sagemaker:KIND/NAME, an IP address, or `internet`
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
    /// Every allowed protocol and port range between every source and destination
    #[command(
        after_help = "Lists, for each source and destination (interfaces of instances, SageMaker resources, interface endpoints and NAT gateways; `internet`; external networks; service:NAME as destinations), every protocol and destination port range whose request and response both get through. Ports are grouped into classes at every rule boundary, one trace per class. Clients use source port 49152; ICMP means echo request; IPv4 only.\n\nExamples:\n  vpcsim reach scenario.json\n  vpcsim reach scenario.json --from i-web\n  vpcsim reach scenario.json --from i-web --to sagemaker:endpoint/churn\n  vpcsim reach ./aws_configs --to internet --format json\n  vpcsim reach plan.json --format json > matrix.json\n  vpcsim reach after.json --baseline before.json      # what-if: flows gained (+) and lost (-)\n  vpcsim reach scenario.json --baseline ./aws_configs  # a design against the real account"
    )]
    Reach {
        /// A scenario file, a folder of AWS CLI describe-* outputs, or a `terraform show -json` file
        input: PathBuf,
        /// Only this source (a reference as for `trace --from`)
        #[arg(long)]
        from: Option<String>,
        /// Only this destination (a reference as for `trace --to`)
        #[arg(long)]
        to: Option<String>,
        /// Output format: text (grouped by source) or json (the matrix)
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Compare with this input instead of listing the matrix: every pair whose allowed
        /// flows differ, with what INPUT gains (+) and loses (-) against it
        #[arg(long)]
        baseline: Option<PathBuf>,
    },
    /// List the import and load diagnostics and the findings (lints) of an input
    #[command(
        after_help = "Findings have stable codes (VS101...) documented in docs/lints.md. Exit codes: 0 when no finding is at or above --fail-on, 1 otherwise, 2 for bad input.\n\nExamples:\n  vpcsim check scenario.json\n  vpcsim check ./aws_configs --fail-on warning\n  vpcsim check scenario.json --format json\n  vpcsim check plan.json --format sarif > vpcsim.sarif   # for code scanning in CI\n  vpcsim check scenario.json --fail-on never"
    )]
    Check {
        /// A scenario file, a folder of AWS CLI outputs, or a `terraform show -json` file
        input: PathBuf,
        /// Exit 1 when a finding of this severity or worse exists
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Output format: text, json (`{"diagnostics": [...], "findings": [...]}`) or sarif (SARIF 2.1.0)
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
    },
    /// Import AWS CLI outputs or `terraform show -json` into a scenario file
    #[command(after_help = "Examples:\n  vpcsim import ./aws_configs -o account.json\n  vpcsim import plan.json -o planned.json")]
    Import {
        /// A folder of AWS CLI describe-* outputs, or a `terraform show -json` file
        input: PathBuf,
        /// Where to write the scenario (vpcsim format v1)
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Export a network as a Terraform root module (main.tf, versions.tf, variables.tf)
    #[command(
        after_help = "Examples:\n  vpcsim export scenario.json --terraform ./infra\n  vpcsim export ./aws_configs --terraform ./infra"
    )]
    Export {
        /// A scenario file, a folder of AWS CLI outputs, or a `terraform show -json` file
        input: PathBuf,
        /// The folder to write the .tf files into (created if missing)
        #[arg(long)]
        terraform: PathBuf,
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

/// Reads INPUT: a scenario file, a `terraform show -json` file, or a folder (or file) of
/// AWS CLI `describe-*` outputs. Returns the document and the import diagnostics.
fn read_input(path: &Path) -> Result<(Scenario, Vec<vpcsim_core::Diagnostic>), String> {
    use vpcsim_core::import::{self, InputFile};
    if path.is_dir() {
        let mut files = Vec::new();
        let mut stack = vec![path.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: cannot read the folder: {e}", dir.display()))?;
            let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
            entries.sort();
            for p in entries {
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "json") {
                    let rel = p.strip_prefix(path).unwrap_or(&p).display().to_string();
                    let size = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
                    let text = if size > import::MAX_FILE_BYTES as u64 {
                        return Err(format!(
                            "{rel}: the file is {size} bytes, more than the {} bytes vpcsim imports",
                            import::MAX_FILE_BYTES
                        ));
                    } else {
                        std::fs::read_to_string(&p).map_err(|e| format!("{rel}: cannot read: {e}"))?
                    };
                    files.push(InputFile { path: rel, text });
                }
            }
        }
        if files.is_empty() {
            return Err(format!("{}: the folder holds no .json file (expected AWS CLI describe-* outputs)", path.display()));
        }
        let imported = import::aws::import(&files);
        return Ok((imported.scenario, imported.diagnostics));
    }
    let text = read_text(path)?;
    let head: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not valid JSON (line {} column {}): {e}", path.display(), e.line(), e.column()))?;
    if head.get("vpcsim").is_some() {
        return scenario_from_text(path, &text).map(|s| (s, Vec::new()));
    }
    let file = InputFile { path: path.display().to_string(), text };
    if head.get("format_version").is_some() && (head.get("values").is_some() || head.get("planned_values").is_some()) {
        let imported = import::terraform::import(&file);
        return Ok((imported.scenario, imported.diagnostics));
    }
    let imported = import::aws::import(&[file]);
    Ok((imported.scenario, imported.diagnostics))
}

/// A file's text, refusing files over the input limit before reading them.
fn read_text(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if meta.len() > ffi::MAX_INPUT_BYTES as u64 {
        return Err(format!(
            "{}: the file is {} bytes, more than the {} bytes vpcsim reads",
            path.display(),
            meta.len(),
            ffi::MAX_INPUT_BYTES
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

fn read_scenario(path: &Path) -> Result<Scenario, String> {
    scenario_from_text(path, &read_text(path)?)
}

fn scenario_from_text(path: &Path, text: &str) -> Result<Scenario, String> {
    ffi::load_scenario(text).map_err(|errors| {
        let first = errors.first().map(|d| format!("{} at {}: {} ({})", d.code, d.at, d.message, d.help)).unwrap_or_default();
        format!("{}: {first}", path.display())
    })
}

/// The project's address (the workspace's `repository`).
const PROJECT_URI: &str = env!("CARGO_PKG_REPOSITORY");

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF 2.1.0 log: one run, the lints as rules, findings and load diagnostics as results
/// (diagnostics under their own kebab-case codes, with no rule entry).
fn sarif(input: &Path, diags: &[Diagnostic], findings: &[Finding]) -> serde_json::Value {
    use serde_json::json;
    let uri = input.display().to_string();
    let location = |at: &str| {
        json!([{
            "physicalLocation": {"artifactLocation": {"uri": uri}},
            "logicalLocations": [{"fullyQualifiedName": at}]
        }])
    };
    let rules: Vec<serde_json::Value> = lint::RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.what_it_does},
                "helpUri": format!("{PROJECT_URI}/docs/lints.md#{}", r.code.to_lowercase()),
                "help": {"text": r.fix},
                "defaultConfiguration": {"level": sarif_level(r.severity)}
            })
        })
        .collect();
    let mut results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| json!({"ruleId": d.code, "level": sarif_level(d.severity), "message": {"text": format!("{} ({})", d.message, d.help)}, "locations": location(&d.at)}))
        .collect();
    results.extend(findings.iter().map(|f| {
        json!({
            "ruleId": f.code,
            "ruleIndex": lint::RULES.iter().position(|r| r.code == f.code),
            "level": sarif_level(f.severity),
            "message": {"text": format!("{} ({})", f.message, f.help)},
            "locations": location(&f.at)
        })
    }));
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "vpcsim",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": PROJECT_URI,
                "rules": rules
            }},
            "results": results
        }]
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
            let (scenario, mut diags) = match read_input(&input) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let (net, build_diags) = Network::build(&scenario);
            diags.extend(build_diags);
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
                    for d in diags.iter().filter(|d| d.severity >= Severity::Warning) {
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
        Command::Reach { input, from, to, format, baseline } => {
            let (scenario, mut diags) = match read_input(&input) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let (net, build_diags) = Network::build(&scenario);
            diags.extend(build_diags);
            let matrix = match vpcsim_core::reach::reachability_between(&net, from.as_deref(), to.as_deref()) {
                Ok(m) => m,
                Err(d) => return fail(format!("{}: {} at {}: {} ({})", input.display(), d.code, d.at, d.message, d.help)),
            };
            if let Some(base_path) = baseline {
                let (base_scenario, base_diags) = match read_input(&base_path) {
                    Ok(s) => s,
                    Err(e) => return fail(e),
                };
                let (base_net, base_build) = Network::build(&base_scenario);
                let before = match vpcsim_core::reach::reachability_between(&base_net, from.as_deref(), to.as_deref()) {
                    Ok(m) => m,
                    Err(d) => {
                        return fail(format!("{} (--baseline): {} at {}: {} ({})", base_path.display(), d.code, d.at, d.message, d.help))
                    }
                };
                let changes = vpcsim_core::reach::diff(&before, &matrix);
                match format {
                    Format::Json => {
                        let doc = serde_json::json!({"input": input.display().to_string(), "baseline": base_path.display().to_string(), "changes": changes});
                        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
                    }
                    Format::Text => {
                        for d in diags.iter().chain(&base_diags).chain(&base_build).filter(|d| d.severity >= Severity::Warning) {
                            eprintln!("{d}");
                        }
                        let tty = std::io::stdout().is_terminal();
                        for c in &changes {
                            if !c.gained.is_empty() {
                                println!(
                                    "{}",
                                    colour(&format!("+ {} → {}: {}", c.from, c.to, vpcsim_core::reach::allowed_text(&c.gained)), "32", tty)
                                );
                            }
                            if !c.lost.is_empty() {
                                println!(
                                    "{}",
                                    colour(&format!("- {} → {}: {}", c.from, c.to, vpcsim_core::reach::allowed_text(&c.lost)), "31", tty)
                                );
                            }
                        }
                        let n = changes.len();
                        println!(
                            "{n} pair{} changed against {} ({} gained something, {} lost something)",
                            if n == 1 { "" } else { "s" },
                            base_path.display(),
                            changes.iter().filter(|c| !c.gained.is_empty()).count(),
                            changes.iter().filter(|c| !c.lost.is_empty()).count()
                        );
                    }
                }
                return ExitCode::SUCCESS;
            }
            match format {
                Format::Json => match serde_json::to_string_pretty(&matrix) {
                    Ok(s) => println!("{s}"),
                    Err(e) => return fail(format!("cannot serialize the matrix: {e}")),
                },
                Format::Text => {
                    for d in diags.iter().filter(|d| d.severity >= Severity::Warning) {
                        eprintln!("{d}");
                    }
                    print!("{}", matrix.to_text());
                }
            }
            ExitCode::SUCCESS
        }
        Command::Check { input, fail_on, format } => {
            let (scenario, mut diags) = match read_input(&input) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            diags.extend(Network::build(&scenario).1);
            let findings = lint::lint(&scenario);
            match format {
                CheckFormat::Json => {
                    let doc = serde_json::json!({"diagnostics": diags, "findings": findings});
                    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
                }
                CheckFormat::Sarif => println!("{}", serde_json::to_string_pretty(&sarif(&input, &diags, &findings)).unwrap_or_default()),
                CheckFormat::Text => {
                    if diags.is_empty() && findings.is_empty() {
                        println!("no problems found");
                    }
                    for d in &diags {
                        println!("{}: {d}", input.display());
                    }
                    for f in &findings {
                        println!(
                            "{}: {}[{} {}] at {}: {} (help: {})",
                            input.display(),
                            f.severity,
                            f.code,
                            f.name,
                            f.at,
                            f.message,
                            f.help
                        );
                        if let Some(fix) = &f.fix {
                            println!("    fix available: {}", fix.description);
                        }
                    }
                    if !findings.is_empty() {
                        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
                        println!(
                            "{} findings: {} errors, {} warnings, {} info (docs/lints.md)",
                            findings.len(),
                            count(Severity::Error),
                            count(Severity::Warning),
                            count(Severity::Info)
                        );
                    }
                }
            }
            match fail_on.threshold() {
                Some(t) if findings.iter().any(|f| f.severity >= t) => ExitCode::from(1),
                _ => ExitCode::SUCCESS,
            }
        }
        Command::Import { input, output } => {
            let (scenario, mut diags) = match read_input(&input) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            diags.extend(Network::build(&scenario).1);
            for d in &diags {
                eprintln!("{d}");
            }
            let text = vpcsim_core::scenario::to_json(&scenario) + "\n";
            if let Err(e) = std::fs::write(&output, text) {
                return fail(format!("{}: cannot write: {e}", output.display()));
            }
            let errors = diags.iter().filter(|d| d.severity == vpcsim_core::Severity::Error).count();
            eprintln!("wrote {} ({} diagnostics, {errors} errors)", output.display(), diags.len());
            ExitCode::SUCCESS
        }
        Command::Export { input, terraform } => {
            let (scenario, mut diags) = match read_input(&input) {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            let exported = vpcsim_core::export::terraform::to_hcl(&scenario);
            diags.extend(exported.diagnostics);
            if let Err(e) = std::fs::create_dir_all(&terraform) {
                return fail(format!("{}: cannot create the folder: {e}", terraform.display()));
            }
            for (name, text) in &exported.files {
                let path = terraform.join(name);
                if let Err(e) = std::fs::write(&path, text) {
                    return fail(format!("{}: cannot write: {e}", path.display()));
                }
            }
            for d in &diags {
                eprintln!("{d}");
            }
            eprintln!("wrote {} file(s) to {} ({} diagnostics)", exported.files.len(), terraform.display(), diags.len());
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
