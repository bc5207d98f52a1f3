//! The HTTPS certificate, from ACM in one of three modes chosen by config:
//! - `certificateArn`: an existing certificate, used as is;
//! - `domainName` + `hostedZoneId`: a new ACM certificate validated through DNS records in the
//!   zone, and a `CertificateValidation` the listener waits for;
//! - neither: a self-signed certificate from the tls provider imported into ACM, for test stacks
//!   only (the config loader refuses it in production), with a warning in preview.

use payments_aws::acm::{CertificateArgs, CertificateValidationArgs};
use payments_aws::args::register;
use payments_aws::provider;
use payments_aws::route53::RecordArgs;
use payments_aws::tls::{PrivateKeyArgs, SelfSignedCertArgs, SelfSignedCertSubjectArgs};
use pulumi_runtime::{Output, PropertyMap, Resource, ResourceOptions};
use serde::Deserialize;

use crate::config::CertificateSource;
use crate::scope::{Scope, set};
use crate::tags;

/// One DNS validation record ACM asks for.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationOption {
    /// Record name.
    pub resource_record_name: String,
    /// Record type (CNAME).
    pub resource_record_type: String,
    /// Record value.
    pub resource_record_value: String,
}

/// The warning shown when a self-signed certificate is used.
pub const SELF_SIGNED_WARNING: &str = "no certificateArn or domainName/hostedZoneId is configured: \
     the ALB uses a self-signed certificate imported into ACM. Browsers will not trust it; use it \
     for test stacks only.";

/// Provides the certificate; returns its ARN as the listener should use it.
pub fn build(scope: &Scope) -> Output<String> {
    let config = &scope.config;
    let component = scope.component("payments:edge:Certificate", "certificate");
    let arn = match &config.certificate {
        CertificateSource::Existing(arn) => Output::known(arn.clone()),
        CertificateSource::DnsValidated {
            domain_name,
            hosted_zone_id,
        } => dns_validated(scope, &component, domain_name, hosted_zone_id),
        CertificateSource::SelfSigned => self_signed(scope, &component),
    };
    let mut outputs = PropertyMap::new();
    outputs.insert("certificateArn", arn.clone());
    scope.ctx.register_outputs(&component, outputs);
    arn
}

/// An ACM certificate for `domain_name`, validated by a DNS record in `hosted_zone_id`.
fn dns_validated(
    scope: &Scope,
    component: &Resource,
    domain_name: &str,
    hosted_zone_id: &str,
) -> Output<String> {
    let config = &scope.config;
    let opts = || scope.child_of(component);
    let certificate_name = config.naming.label("cert");
    let certificate = register(
        &scope.ctx,
        &certificate_name,
        &CertificateArgs {
            domain_name: set(domain_name.to_owned()),
            validation_method: set("DNS"),
            key_algorithm: set("RSA_2048"),
            tags: set(tags::named(config, &certificate_name)),
            ..Default::default()
        },
        opts(),
    );
    let option = certificate
        .output::<Vec<ValidationOption>>("domainValidationOptions")
        .map(|options| options.into_iter().next());
    let record = register(
        &scope.ctx,
        &config.naming.label("cert-validation-record"),
        &RecordArgs {
            zone_id: set(hosted_zone_id.to_owned()),
            name: set(option.map(|o| o.map(|o| o.resource_record_name).unwrap_or_default())),
            type_: set(option.map(|o| o.map(|o| o.resource_record_type).unwrap_or_default())),
            records: set(
                option.map(|o| o.map(|o| vec![o.resource_record_value]).unwrap_or_default())
            ),
            ttl: set(60),
            allow_overwrite: set(true),
            ..Default::default()
        },
        opts(),
    );
    let validation = register(
        &scope.ctx,
        &config.naming.label("cert-validation"),
        &CertificateValidationArgs {
            certificate_arn: set(certificate.output::<String>("arn")),
            validation_record_fqdns: set(record.output::<String>("fqdn").map(|f| vec![f])),
            ..Default::default()
        },
        opts(),
    );
    validation.output::<String>("certificateArn")
}

/// A self-signed certificate (test stacks only, warned) made by the TLS provider and imported
/// into ACM.
fn self_signed(scope: &Scope, component: &Resource) -> Output<String> {
    let config = &scope.config;
    let opts = || scope.child_of(component);
    scope.ctx.warn(SELF_SIGNED_WARNING);
    let tls = provider::tls(
        &scope.ctx,
        &config.naming.label("tls"),
        ResourceOptions::parent(component),
    );
    let tls_opts = || ResourceOptions::parent(component).with_provider(&tls);
    let key = register(
        &scope.ctx,
        &config.naming.label("tls-private-key"),
        &PrivateKeyArgs {
            algorithm: set("RSA"),
            rsa_bits: set(2048),
            ..Default::default()
        },
        tls_opts(),
    );
    let private_key = key.output::<String>("privateKeyPem").into_secret();
    let common_name = format!("{}.payments.internal", config.naming.label("alb"));
    let certificate = register(
        &scope.ctx,
        &config.naming.label("tls-self-signed-cert"),
        &SelfSignedCertArgs {
            private_key_pem: set(private_key.clone()),
            validity_period_hours: set(24 * 365),
            early_renewal_hours: set(24 * 30),
            allowed_uses: set(vec![
                "key_encipherment".to_owned(),
                "digital_signature".to_owned(),
                "server_auth".to_owned(),
            ]),
            dns_names: set(vec![common_name.clone()]),
            subject: Some(SelfSignedCertSubjectArgs {
                common_name: set(common_name),
                organization: set("Payments platform test stack".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        },
        tls_opts(),
    );
    let imported_name = config.naming.label("cert-self-signed");
    let imported = register(
        &scope.ctx,
        &imported_name,
        &CertificateArgs {
            private_key: set(private_key),
            certificate_body: set(certificate.output::<String>("certPem")),
            tags: set(tags::named(config, &imported_name)),
            ..Default::default()
        },
        opts(),
    );
    imported.output::<String>("arn")
}
