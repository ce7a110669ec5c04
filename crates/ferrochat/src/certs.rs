//! `ferrochat certs`: a CA and the roles' certificates for the internal
//! TLS of a local or test cluster, written to one directory:
//! `ca.pem`, `ca.key` and `<role>.pem`, `<role>.key` for each role asked
//! for (all four by default). An existing `ca.pem` and `ca.key` there are
//! used, not replaced, so running it again renews the role certificates
//! under the same CA. Keys are written with mode 0600.
//!
//! A production cluster can use its own CA instead (docs/deploy.md,
//! "Trust boundaries"): a role's certificate must name
//! `<role>.<trust domain>` as a DNS name, for client and server use.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use ferrochat_rpc::tls::pki::Authority;
use ferrochat_rpc::tls::{check_trust_domain, DEFAULT_TRUST_DOMAIN};
use ferrochat_rpc::PeerRole;

/// How long a CA made here is valid.
const CA_DAYS: u32 = 3650;

#[derive(Debug, Args)]
pub struct CertsArgs {
    /// Where to write the files.
    #[arg(long, value_name = "DIR", default_value = "certs")]
    pub dir: PathBuf,
    /// The cluster's trust domain (internal_tls.trust_domain).
    #[arg(long, value_name = "NAME", default_value = DEFAULT_TRUST_DOMAIN)]
    pub trust_domain: String,
    /// How many days the role certificates are valid.
    #[arg(long, value_name = "DAYS", default_value_t = 90)]
    pub days: u32,
    /// The roles to issue certificates for: gateway, logic, repo, task
    /// [default: all four].
    #[arg(value_name = "ROLE")]
    pub roles: Vec<String>,
}

/// What `run` wrote, for the summary it prints.
pub struct Written {
    pub ca: PathBuf,
    pub ca_made: bool,
    pub roles: Vec<(PeerRole, PathBuf, PathBuf)>,
}

/// Writes the CA (if there is none yet) and the role certificates.
pub fn run(args: &CertsArgs) -> anyhow::Result<Written> {
    check_trust_domain(&args.trust_domain)?;
    anyhow::ensure!(args.days >= 1, "--days must be at least 1");
    let roles: Vec<PeerRole> = if args.roles.is_empty() {
        PeerRole::ALL.to_vec()
    } else {
        args.roles
            .iter()
            .map(|r| {
                PeerRole::parse(r).with_context(|| {
                    format!("unknown role {r:?}: expected gateway, logic, repo or task")
                })
            })
            .collect::<anyhow::Result<_>>()?
    };
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("creating {}", args.dir.display()))?;
    let (ca_pem, ca_key) = (args.dir.join("ca.pem"), args.dir.join("ca.key"));
    let (ca, ca_made) = match (ca_pem.exists(), ca_key.exists()) {
        (true, true) => {
            let cert = read(&ca_pem)?;
            let key = read(&ca_key)?;
            let ca = Authority::from_pem(&cert, &key, &args.trust_domain)
                .with_context(|| format!("using the CA in {}", args.dir.display()))?;
            (ca, false)
        }
        (false, false) => {
            let ca = Authority::generate(&args.trust_domain, CA_DAYS)?;
            write(&ca_key, ca.key_pem(), true)?;
            write(&ca_pem, ca.cert_pem(), false)?;
            (ca, true)
        }
        _ => anyhow::bail!(
            "{} has only one of ca.pem and ca.key: restore the other, or remove both for a new CA",
            args.dir.display()
        ),
    };
    let mut written = Vec::new();
    for role in roles {
        let issued = ca.issue(role, args.days)?;
        let cert = args.dir.join(format!("{}.pem", role.name()));
        let key = args.dir.join(format!("{}.key", role.name()));
        write(&key, &issued.key_pem, true)?;
        write(&cert, &issued.cert_pem, false)?;
        written.push((role, cert, key));
    }
    Ok(Written {
        ca: ca_pem,
        ca_made,
        roles: written,
    })
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// Replaces `path` with `contents`; a key is readable by its owner only,
/// from the moment it exists.
fn write(path: &Path, contents: &str, secret: bool) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    }
    let mut f = opts
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(contents.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}
