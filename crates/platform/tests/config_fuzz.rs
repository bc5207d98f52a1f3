//! The configuration loader never panics, whatever the stack file says: arbitrary text, arbitrary
//! YAML shapes, and arbitrary values for every key the platform reads (and a misspelt one), the
//! `migration` object with unknown keys and wrong types at every depth included.

use payments_platform::config;
use proptest::prelude::*;
use pulumi_runtime::Config;

const KEYS: &[&str] = &[
    "environment",
    "environmentSuffix",
    "costCenter",
    "migrationPhase",
    "vpcCidr",
    "allowedIngressCidrs",
    "allowedPrefixListIds",
    "instanceType",
    "asgMinSize",
    "asgMaxSize",
    "asgDesiredCapacity",
    "dbInstanceClass",
    "dbEngineVersion",
    "dbUsername",
    "dbPassword",
    "backupRetentionDays",
    "certificateArn",
    "domainName",
    "hostedZoneId",
    "backupCopyRegion",
    "appPort",
    "tlsPolicy",
    "healthCheckPath",
    "availabilityZones",
    "migration",
    "asgMaxSixe",
];

fn yaml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9./:_ -]{0,20}".prop_map(|s| format!("{s:?}")),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        Just("null".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
        Just("{secure: AAAA}".to_owned()),
        Just("{secure: [1]}".to_owned()),
        proptest::collection::vec("[0-9./]{0,18}", 0..4).prop_map(|v| format!("{v:?}")),
        Just("\"0.0.0.0/0\"".to_owned()),
        Just("[\"::/0\"]".to_owned()),
        Just("{onPremCidrs: [172.16.0.0/16], awsTrafficWeight: 0, databse: {hots: x}}".to_owned()),
        Just(
            "{onPremCidrs: 1, awsTrafficWeight: \"x\", database: [], appServers: {publicIps: [1]}}"
                .to_owned()
        ),
        Just("{database: null, dmsRoles: creat, bgpAsn: 1.5}".to_owned()),
    ]
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        if let Ok(config) = Config::from_stack_yaml(&text, "fuzz.yaml", "payments-platform", |_| None) {
            let _ = config::load(&config);
        }
    }

    #[test]
    fn arbitrary_values_for_known_keys_never_panic(
        entries in proptest::collection::vec((proptest::sample::select(KEYS), yaml_value()), 0..24)
    ) {
        let mut text = String::from("config:\n");
        for (key, value) in entries {
            text.push_str(&format!("  payments-platform:{key}: {value}\n"));
        }
        if let Ok(config) = Config::from_stack_yaml(&text, "fuzz.yaml", "payments-platform", |_| Some("x".to_owned())) {
            let _ = config::load(&config);
        }
        if let Ok(config) = Config::from_engine(Some(&text), None) {
            let _ = config::load(&config);
        }
    }
}
