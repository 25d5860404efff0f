//! Trust anchors, certificate properties and chain building.

use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, SubjectKeyIdentifier};

use super::crypto;

/// Longest chain (signer, intermediates, anchor) that is built.
const MAX_CHAIN_LEN: usize = 8;
/// Most certificates one trust file may hold.
const MAX_CERTS_PER_FILE: usize = 1_000;

/// Certificates trusted as anchors.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every certificate of a PEM file (one or more `CERTIFICATE` blocks) or of one DER
    /// certificate; returns how many were added.
    pub fn add_pem_or_der(&mut self, bytes: &[u8]) -> Result<usize, String> {
        let certs = if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            Certificate::load_pem_chain(bytes).map_err(|e| format!("cannot read PEM certificates: {e}"))?
        } else {
            vec![Certificate::from_der(bytes).map_err(|e| format!("cannot read DER certificate: {e}"))?]
        };
        if certs.is_empty() || certs.len() > MAX_CERTS_PER_FILE {
            return Err(format!(
                "expected 1 to {MAX_CERTS_PER_FILE} certificates, found {}",
                certs.len()
            ));
        }
        let n = certs.len();
        self.anchors.extend(certs);
        Ok(n)
    }

    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    fn contains(&self, cert: &Certificate) -> bool {
        self.anchors.iter().any(|a| a == cert)
    }
}

/// The subject as an RFC 4514 string.
pub(crate) fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate.subject.to_string()
}

/// notBefore and notAfter as Unix seconds.
pub(crate) fn validity(cert: &Certificate) -> (i64, i64) {
    let v = &cert.tbs_certificate.validity;
    let secs = |t: x509_cert::time::Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    (secs(v.not_before), secs(v.not_after))
}

pub(crate) fn valid_at(cert: &Certificate, at: i64) -> bool {
    let (from, to) = validity(cert);
    from <= at && at <= to
}

/// `Some(ca)` from the basicConstraints extension, `None` when it is absent or unreadable.
fn basic_constraints_ca(cert: &Certificate) -> Option<bool> {
    match cert.tbs_certificate.get::<BasicConstraints>() {
        Ok(Some((_, bc))) => Some(bc.ca),
        _ => None,
    }
}

/// The subjectKeyIdentifier extension's value.
pub(crate) fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    match cert.tbs_certificate.get::<SubjectKeyIdentifier>() {
        Ok(Some((_, ski))) => Some(ski.0.as_bytes().to_vec()),
        _ => None,
    }
}

/// Checks that `issuer` signed `cert`.
pub(crate) fn issued_by(cert: &Certificate, issuer: &Certificate) -> Result<(), String> {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return Err("issuer name does not match".into());
    }
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| format!("cannot encode certificate: {e}"))?;
    let sig = cert
        .signature
        .as_bytes()
        .ok_or("certificate signature is not a whole number of bytes")?;
    let spki = &issuer.tbs_certificate.subject_public_key_info;
    crypto::verify_signature(spki, &cert.signature_algorithm, None, &tbs, sig)
}

struct ChainSearch<'a> {
    pool: &'a [Certificate],
    trust: &'a TrustStore,
    at: i64,
    problems: Vec<String>,
}

impl ChainSearch<'_> {
    /// Whether `cert` (already on a path of `len` certificates) leads to an anchor.
    fn extend(&mut self, cert: &Certificate, len: usize) -> bool {
        if len >= MAX_CHAIN_LEN {
            self.problems
                .push(format!("chain longer than {MAX_CHAIN_LEN} certificates"));
            return false;
        }
        let issuer_name = &cert.tbs_certificate.issuer;
        let anchors = self.trust.anchors.iter().map(|c| (c, true));
        let pool = self.pool.iter().filter(|c| !self.trust.contains(c)).map(|c| (c, false));
        let candidates: Vec<(&Certificate, bool)> = anchors
            .chain(pool)
            .filter(|(c, _)| &c.tbs_certificate.subject == issuer_name && *c != cert)
            .collect();
        for (candidate, is_anchor) in candidates {
            if let Err(e) = issued_by(cert, candidate) {
                self.problems.push(format!(
                    "{} is not signed by {}: {e}",
                    subject(cert),
                    subject(candidate)
                ));
                continue;
            }
            if basic_constraints_ca(candidate) == Some(false)
                || (!is_anchor && basic_constraints_ca(candidate).is_none())
            {
                self.problems
                    .push(format!("{} is not a CA certificate", subject(candidate)));
                continue;
            }
            if is_anchor {
                return true;
            }
            if !valid_at(candidate, self.at) {
                self.problems
                    .push(format!("{} is not valid at the signing time", subject(candidate)));
                continue;
            }
            if self.extend(candidate, len + 1) {
                return true;
            }
        }
        false
    }
}

/// Whether `signer` chains to an anchor of `trust` through the certificates of `pool`; the error
/// explains why not.
pub(crate) fn chain_to_anchor(
    signer: &Certificate,
    pool: &[Certificate],
    trust: &TrustStore,
    at: i64,
) -> Result<(), String> {
    if trust.contains(signer) {
        return Ok(());
    }
    let mut search = ChainSearch {
        pool,
        trust,
        at,
        problems: Vec::new(),
    };
    if search.extend(signer, 1) {
        return Ok(());
    }
    let mut msg = format!("no chain from {} to a trust anchor", subject(signer));
    if !search.problems.is_empty() {
        msg.push_str(": ");
        msg.push_str(&search.problems.join("; "));
    }
    Err(msg)
}
