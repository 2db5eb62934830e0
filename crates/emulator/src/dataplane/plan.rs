//! Per-stage plans: what a stage serves, prepared once and reused by every request until the store
//! changes (any committed change gives the store a new [`Generation`]; the next request to the stage
//! rebuilds its plan).
//!
//! A plan holds the route table of the stage's deployment (and of its canary's), the stage variables
//! (shared, never copied per request), the access-log settings and, filled in on the first request to
//! each method, the method's [`MethodPlan`]: its effective settings (resolved once, by core's
//! [`effective_settings`]), its integration read once ([`Prepared`]), its throttling bucket and its
//! metric counters.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use axum::http::HeaderValue;
use serde_json::Value;
use stagecraft_core::api::Authorizer;
use stagecraft_core::dataplane::RouteTable;
use stagecraft_core::dataplane::throttle::TokenBucket;
use stagecraft_core::{EffectiveSettings, Stage, effective_settings, method_setting_key};

use super::integration::Prepared;
use super::observe::{Cells, Observer};
use crate::store::{Api, Generation, ResourceRec};

/// A stage's cache cluster: enabled, size.
pub type Cluster = (bool, Option<String>);

/// The stage's access-log settings, when it has both a format and a destination.
#[derive(Debug)]
pub struct AccessLog {
    /// The line's format.
    pub format: String,
    /// The destination ARN.
    pub arn: String,
}

/// One stage, ready to serve.
#[derive(Debug)]
pub struct StagePlan {
    generation: Generation,
    main: Served,
    /// The canary's deployment and its share of requests (percent).
    canary: Option<(f64, Served)>,
    /// The cache cluster.
    pub cluster: Cluster,
    /// Access logging.
    pub access_log: Option<AccessLog>,
}

/// One deployment as a stage serves it (the stage's own, or its canary's).
#[derive(Debug)]
pub struct Served {
    /// The deployment id.
    pub deployment_id: String,
    /// `x-stagecraft-deployment`.
    pub deployment_header: Option<HeaderValue>,
    /// Whether this is the canary.
    pub canary: bool,
    /// Whether the canary shares the stage's cache (always true for the stage's own deployment).
    pub use_stage_cache: bool,
    /// Stage variables in force (canary overrides applied).
    pub variables: Arc<BTreeMap<String, String>>,
    table: RouteTable,
    resources: Arc<Vec<ResourceRec>>,
    /// Per resource (table order), per defined verb: the method's plan once a request needed it.
    methods: Vec<Vec<(String, OnceLock<Arc<MethodPlan>>)>>,
}

/// One method of a served deployment.
#[derive(Debug)]
pub struct MethodPlan {
    /// The resource path (`/pets/{petId}`).
    pub resource_path: String,
    /// The resource id.
    pub resource_id: String,
    /// The verb as defined (`GET`, or `ANY`).
    pub verb: String,
    /// `authorizationType`.
    pub authorization_type: String,
    /// The authorizer of a CUSTOM / COGNITO_USER_POOLS method (`None` also when it no longer exists).
    pub authorizer: Option<Authorizer>,
    /// The method's effective settings on the stage.
    pub settings: EffectiveSettings,
    /// The integration.
    pub integration: Prepared,
    /// The throttling bucket (shared with every plan of the same stage and method key).
    pub bucket: Arc<Mutex<TokenBucket>>,
    cells: OnceLock<Cells>,
}

impl MethodPlan {
    /// The metric counters this method's requests add to (taken on first use: a method nobody
    /// called has no series).
    pub fn cells(&self, observer: &Observer, api: &str, stage: &str) -> &Cells {
        self.cells.get_or_init(|| {
            let method = self
                .settings
                .metrics_enabled
                .then_some((self.resource_path.as_str(), self.verb.as_str()));
            observer.cells(api, stage, method)
        })
    }
}

/// A request's method, found through a stage plan.
pub struct Found {
    /// The stage's plan.
    pub stage: Arc<StagePlan>,
    /// Whether the canary serves the request.
    pub canary: bool,
    /// The method.
    pub method: Arc<MethodPlan>,
    /// Path parameters by name.
    pub path_parameters: Vec<(String, String)>,
}

impl Found {
    /// The deployment serving the request.
    pub fn served(&self) -> &Served {
        match (&self.stage.canary, self.canary) {
            (Some((_, canary)), true) => canary,
            _ => &self.stage.main,
        }
    }
}

/// Why a request found no method.
pub enum Miss {
    /// No such API or stage.
    UnknownStage,
    /// No resource or method for the path and verb.
    NoRoute,
}

/// Throttling buckets by `(api, stage, method key)`, kept across plans.
type Buckets = HashMap<(String, String, String), Arc<Mutex<TokenBucket>>>;

/// The plans of every stage that served a request, and what outlives them.
#[derive(Debug, Default)]
pub struct Plans {
    /// By API id, then stage name.
    stages: RwLock<HashMap<String, HashMap<String, Arc<StagePlan>>>>,
    buckets: Mutex<Buckets>,
}

/// What building a method plan reads besides the stage.
pub struct Context<'a> {
    /// The API.
    pub api: &'a Api,
    /// The API id and stage name.
    pub ids: (&'a str, &'a str),
    /// Seconds since the runtime started (throttling's clock).
    pub now: f64,
}

impl Plans {
    /// The stage's plan for the store's `generation` (`None` when it is stale or missing).
    fn current(&self, api: &str, stage: &str, generation: Generation) -> Option<Arc<StagePlan>> {
        let stages = self.stages.read().unwrap_or_else(PoisonError::into_inner);
        stages
            .get(api)?
            .get(stage)
            .filter(|p| p.generation == generation)
            .cloned()
    }

    /// The plan of `stage` of `api` (built if the store changed since), and whether it was built now.
    pub fn stage(
        &self,
        api: &Api,
        stage: &str,
        generation: Generation,
    ) -> Option<(Arc<StagePlan>, bool)> {
        let id = api.rest_api.id.as_str();
        if let Some(plan) = self.current(id, stage, generation) {
            return Some((plan, false));
        }
        let mut stages = self.stages.write().unwrap_or_else(PoisonError::into_inner);
        let Some(s) = api.stages.get(stage) else {
            if let Some(m) = stages.get_mut(id) {
                m.remove(stage);
            }
            return None;
        };
        let plan = Arc::new(StagePlan::new(api, s, generation));
        stages
            .entry(id.to_owned())
            .or_default()
            .insert(stage.to_owned(), plan.clone());
        Some((plan, true))
    }

    /// The method plan at `slot`, built on first use.
    fn method(
        &self,
        slot: &OnceLock<Arc<MethodPlan>>,
        ctx: &Context<'_>,
        stage: &Stage,
        served: &Served,
        resource: &ResourceRec,
        verb: &str,
    ) -> Option<Arc<MethodPlan>> {
        let method = resource.methods.get(verb)?;
        Some(
            slot.get_or_init(|| {
                let settings = effective_settings(stage, &method_setting_key(&resource.path, verb));
                let bucket = self.bucket(ctx, &settings);
                let integration = method.method_integration.as_ref().unwrap_or(&Value::Null);
                Arc::new(MethodPlan {
                    resource_path: resource.path.clone(),
                    resource_id: resource.id.clone(),
                    verb: verb.to_owned(),
                    authorization_type: method.authorization_type.clone(),
                    authorizer: method
                        .authorizer_id
                        .as_ref()
                        .and_then(|id| ctx.api.authorizers.get(id))
                        .map(|a| a.value.clone()),
                    integration: Prepared::new(integration, &served.variables),
                    settings,
                    bucket,
                    cells: OnceLock::new(),
                })
            })
            .clone(),
        )
    }

    /// The method's bucket: the one it had, unless its limits changed (then a full new one).
    fn bucket(&self, ctx: &Context<'_>, s: &EffectiveSettings) -> Arc<Mutex<TokenBucket>> {
        let fresh = TokenBucket::new(s.throttling_rate_limit, s.throttling_burst_limit, ctx.now);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let (api, stage) = ctx.ids;
        let bucket = buckets
            .entry((api.to_owned(), stage.to_owned(), s.key.clone()))
            .or_insert_with(|| Arc::new(Mutex::new(fresh.clone())));
        {
            let mut b = bucket.lock().unwrap_or_else(PoisonError::into_inner);
            if !b.limits_match(&fresh) {
                *b = fresh;
            }
        }
        bucket.clone()
    }

    /// Finds the method serving `verb` on `path` (below the stage); `draw` (0..100) picks the canary.
    pub fn find(
        &self,
        plan: Arc<StagePlan>,
        ctx: &Context<'_>,
        verb: &str,
        path: &str,
        draw: impl FnOnce() -> f64,
    ) -> Result<Found, Miss> {
        let stage = ctx.api.stages.get(ctx.ids.1).ok_or(Miss::UnknownStage)?;
        let canary = plan
            .canary
            .as_ref()
            .is_some_and(|(percent, _)| draw() < *percent);
        let served = match (&plan.canary, canary) {
            (Some((_, c)), true) => c,
            _ => &plan.main,
        };
        let m = served.table.find(verb, path).ok_or(Miss::NoRoute)?;
        let resource = &served.resources[m.resource];
        let slot = served.methods[m.resource]
            .iter()
            .find(|(v, _)| v == m.method)
            .map(|(_, slot)| slot)
            .ok_or(Miss::NoRoute)?;
        let method = self
            .method(slot, ctx, stage, served, resource, m.method)
            .ok_or(Miss::NoRoute)?;
        let path_parameters = m.path_parameters;
        Ok(Found {
            stage: plan,
            canary,
            method,
            path_parameters,
        })
    }
}

impl Served {
    fn new(api: &Api, deployment: &str, variables: BTreeMap<String, String>) -> Self {
        let resources = api
            .snapshots
            .get(deployment)
            .cloned()
            .unwrap_or_else(|| Arc::new(api.resources.values().cloned().collect()));
        let table = RouteTable::new(
            resources
                .iter()
                .map(|r| (r.path.as_str(), r.methods.keys().map(String::as_str))),
        );
        let methods = resources
            .iter()
            .map(|r| {
                r.methods
                    .keys()
                    .map(|v| (v.clone(), OnceLock::new()))
                    .collect()
            })
            .collect();
        Self {
            deployment_id: deployment.to_owned(),
            deployment_header: HeaderValue::from_str(deployment).ok(),
            canary: false,
            use_stage_cache: true,
            variables: Arc::new(variables),
            table,
            resources,
            methods,
        }
    }
}

impl StagePlan {
    fn new(api: &Api, stage: &Stage, generation: Generation) -> Self {
        let main = Served::new(
            api,
            stage.deployment_id.as_deref().unwrap_or_default(),
            stage.variables.clone().into(),
        );
        let canary = stage.canary_settings.as_ref().and_then(|c| {
            let deployment = c.deployment_id.as_deref()?;
            let mut variables = stage.variables.clone();
            variables.extend(c.stage_variable_overrides.clone());
            let mut served = Served::new(api, deployment, variables.into());
            served.canary = true;
            served.use_stage_cache = c.use_stage_cache;
            Some((c.percent_traffic, served))
        });
        let access_log = stage.access_log_settings.as_ref().and_then(|a| {
            Some(AccessLog {
                format: a.format.clone()?,
                arn: a.destination_arn.clone()?,
            })
        });
        Self {
            generation,
            main,
            canary,
            cluster: (
                stage.cache_cluster_enabled,
                stage.cache_cluster_size.clone(),
            ),
            access_log,
        }
    }
}
