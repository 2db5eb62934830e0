//! The emulator's data: REST APIs with their resources, methods, deployments, stages and authorizers,
//! plus the per-stage caches that the flush operations clear.
//!
//! Every change is a [`Record`] (a whole object put, or a delete). Handlers check a request against
//! the store, then [`Tx::commit`] records; the same [`Store::apply`] runs live and on replay of the
//! state file, so what is replayed is exactly what was acknowledged.
//!
//! A [`Tx`] is the only way to change the store: it keeps what each record replaced, so a mutation
//! whose journal write fails (or whose handler returns an error) is undone in memory too.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use stagecraft_core::api::{
    ApiKey, Authorizer, Deployment, DocumentationPart, DocumentationVersion, GatewayResponse,
    Method, Model, RequestValidator, RestApi, UsagePlan, api_key, deployment, documentation,
    resource, rest_api, stage, usage_plan,
};
use stagecraft_core::{Environment, Stage, Timestamp, authorizer};

use crate::error::Error;

/// A resource with its methods (the integration lives in [`Method::method_integration`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceRec {
    /// Creation order.
    pub seq: u64,
    /// Id.
    pub id: String,
    /// Parent id (`None` for `/`).
    pub parent_id: Option<String>,
    /// Last segment (`None` for `/`).
    pub path_part: Option<String>,
    /// Full path.
    pub path: String,
    /// Verb → method.
    pub methods: BTreeMap<String, Method>,
}

/// A usage plan with the ids of its API keys (in the order they were added).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UsagePlanRec {
    /// The plan.
    pub plan: UsagePlan,
    /// Its API keys' ids.
    pub keys: Vec<String>,
}

/// A value with its creation order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ordered<T> {
    /// Creation order.
    pub seq: u64,
    /// The value.
    pub value: T,
}

/// Per-stage caches: the data plane fills them; the flush operations empty them.
#[derive(Clone, Debug, Default)]
pub struct StageCaches {
    /// Authorizer results by (authorizer id, identity) key.
    pub authorizer: HashMap<String, Value>,
    /// Responses by cache key.
    pub response: HashMap<String, crate::dataplane::CachedResponse>,
}

/// One REST API and everything under it.
#[derive(Clone, Debug, Default)]
pub struct Api {
    /// Creation order.
    pub seq: u64,
    /// The API as GetRestApi returns it.
    pub rest_api: RestApi,
    /// Resources by id.
    pub resources: BTreeMap<String, ResourceRec>,
    /// Deployments by id.
    pub deployments: BTreeMap<String, Ordered<Deployment>>,
    /// What each deployment serves: the resources, methods and integrations as at CreateDeployment.
    pub snapshots: BTreeMap<String, Arc<Vec<ResourceRec>>>,
    /// Stages by name.
    pub stages: BTreeMap<String, Stage>,
    /// Authorizers by id.
    pub authorizers: BTreeMap<String, Ordered<Authorizer>>,
    /// Models by name.
    pub models: BTreeMap<String, Model>,
    /// Request validators by id.
    pub request_validators: BTreeMap<String, Ordered<RequestValidator>>,
    /// Gateway responses put for the API, by response type (the others are defaults).
    pub gateway_responses: BTreeMap<String, GatewayResponse>,
    /// Caches by stage name (not persisted).
    pub caches: HashMap<String, StageCaches>,
    /// Documentation parts by id.
    pub documentation_parts: BTreeMap<String, Ordered<DocumentationPart>>,
    /// Documentation versions by label.
    pub documentation_versions: BTreeMap<String, Ordered<DocumentationVersion>>,
}

impl Environment for Api {
    fn deployment_exists(&self, id: &str) -> bool {
        self.deployments.contains_key(id)
    }
}

impl Api {
    /// A stage, or AWS's 404.
    ///
    /// # Errors
    /// 404 `Invalid stage identifier specified`.
    pub fn stage(&self, name: &str) -> Result<&Stage, Error> {
        self.stages
            .get(name)
            .ok_or_else(|| Error::from(stage::not_found()))
    }

    /// A resource, or AWS's 404.
    ///
    /// # Errors
    /// 404 `Invalid Resource identifier specified`.
    pub fn resource(&self, id: &str) -> Result<&ResourceRec, Error> {
        self.resources
            .get(id)
            .ok_or_else(|| Error::from(resource::not_found()))
    }

    /// An authorizer, or the 404.
    ///
    /// # Errors
    /// 404 `Invalid Authorizer identifier specified`.
    pub fn authorizer(&self, id: &str) -> Result<&Authorizer, Error> {
        self.authorizers
            .get(id)
            .map(|a| &a.value)
            .ok_or_else(|| Error::from(authorizer::not_found()))
    }

    /// A deployment, or the 404.
    ///
    /// # Errors
    /// 404 `Invalid Deployment identifier specified`.
    pub fn deployment(&self, id: &str) -> Result<&Deployment, Error> {
        self.deployments
            .get(id)
            .map(|d| &d.value)
            .ok_or_else(|| Error::from(deployment::not_found()))
    }

    /// A documentation part, or the 404.
    ///
    /// # Errors
    /// 404 `Invalid Documentation part identifier specified`.
    pub fn documentation_part(&self, id: &str) -> Result<&DocumentationPart, Error> {
        self.documentation_parts
            .get(id)
            .map(|p| &p.value)
            .ok_or_else(|| Error::from(documentation::part_not_found()))
    }

    /// A documentation version, or the 404.
    ///
    /// # Errors
    /// 404 `Invalid Documentation version specified`.
    pub fn documentation_version(&self, version: &str) -> Result<&DocumentationVersion, Error> {
        self.documentation_versions
            .get(version)
            .map(|v| &v.value)
            .ok_or_else(|| Error::from(documentation::version_not_found()))
    }

    /// The root resource (`/`).
    #[must_use]
    pub fn root_id(&self) -> Option<&str> {
        self.rest_api.root_resource_id.as_deref()
    }
}

/// One committed change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum Record {
    /// Creates or replaces a REST API's own fields.
    PutApi {
        /// Creation order.
        seq: u64,
        /// The API.
        api: RestApi,
    },
    /// Deletes an API and everything under it.
    DeleteApi {
        /// API id.
        id: String,
    },
    /// Creates or replaces a resource (with its methods).
    PutResource {
        /// API id.
        api: String,
        /// The resource.
        resource: ResourceRec,
    },
    /// Deletes a resource.
    DeleteResource {
        /// API id.
        api: String,
        /// Resource id.
        id: String,
    },
    /// Creates or replaces a deployment.
    PutDeployment {
        /// API id.
        api: String,
        /// The deployment.
        deployment: Ordered<Deployment>,
        /// The resources it serves (absent in logs written before deployments kept them).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resources: Option<Vec<ResourceRec>>,
    },
    /// Deletes a deployment.
    DeleteDeployment {
        /// API id.
        api: String,
        /// Deployment id.
        id: String,
    },
    /// Creates or replaces a stage.
    PutStage {
        /// API id.
        api: String,
        /// The stage.
        stage: Box<Stage>,
    },
    /// Deletes a stage.
    DeleteStage {
        /// API id.
        api: String,
        /// Stage name.
        name: String,
    },
    /// Creates or replaces an authorizer.
    PutAuthorizer {
        /// API id.
        api: String,
        /// The authorizer.
        authorizer: Ordered<Authorizer>,
    },
    /// Deletes an authorizer.
    DeleteAuthorizer {
        /// API id.
        api: String,
        /// Authorizer id.
        id: String,
    },
    /// Creates or replaces a model.
    PutModel {
        /// API id.
        api: String,
        /// The model.
        model: Model,
    },
    /// Creates or replaces a request validator.
    PutRequestValidator {
        /// API id.
        api: String,
        /// The validator.
        validator: Ordered<RequestValidator>,
    },
    /// Deletes a request validator.
    DeleteRequestValidator {
        /// API id.
        api: String,
        /// Validator id.
        id: String,
    },
    /// Puts a gateway response.
    PutGatewayResponse {
        /// API id.
        api: String,
        /// The response.
        response: GatewayResponse,
    },
    /// Deletes a gateway response (its type answers the default again).
    DeleteGatewayResponse {
        /// API id.
        api: String,
        /// The response type.
        response_type: String,
    },
    /// Deletes a model.
    DeleteModel {
        /// API id.
        api: String,
        /// Model name.
        name: String,
    },
    /// Creates or replaces a documentation part.
    PutDocumentationPart {
        /// API id.
        api: String,
        /// The part.
        part: Ordered<DocumentationPart>,
    },
    /// Deletes a documentation part.
    DeleteDocumentationPart {
        /// API id.
        api: String,
        /// Part id.
        id: String,
    },
    /// Creates or replaces a documentation version.
    PutDocumentationVersion {
        /// API id.
        api: String,
        /// The version.
        version: Ordered<DocumentationVersion>,
    },
    /// Deletes a documentation version.
    DeleteDocumentationVersion {
        /// API id.
        api: String,
        /// Version label.
        version: String,
    },
    /// Creates or replaces a usage plan (with its keys).
    PutUsagePlan {
        /// The plan.
        plan: Ordered<UsagePlanRec>,
    },
    /// Deletes a usage plan.
    DeleteUsagePlan {
        /// Plan id.
        id: String,
    },
    /// Creates or replaces an API key.
    PutApiKey {
        /// The key.
        key: Ordered<ApiKey>,
    },
    /// Deletes an API key.
    DeleteApiKey {
        /// Key id.
        id: String,
    },
}

/// What applying one record replaced: enough to put it back.
#[derive(Clone, Debug)]
enum Undo {
    /// The record touched nothing (its API does not exist).
    Nothing,
    /// A [`Record::PutApi`]: the API's earlier order and fields, `None` when it was new.
    ApiFields {
        id: String,
        prior: Option<(u64, RestApi)>,
    },
    /// A [`Record::DeleteApi`]: the whole API that was removed.
    Api { id: String, prior: Option<Api> },
    Resource {
        api: String,
        id: String,
        prior: Option<ResourceRec>,
    },
    Deployment {
        api: String,
        id: String,
        prior: Option<Ordered<Deployment>>,
        snapshot: Option<Arc<Vec<ResourceRec>>>,
    },
    Stage {
        api: String,
        name: String,
        prior: Option<Stage>,
        caches: Option<StageCaches>,
    },
    Authorizer {
        api: String,
        id: String,
        prior: Option<Ordered<Authorizer>>,
    },
    Model {
        api: String,
        name: String,
        prior: Option<Model>,
    },
    RequestValidator {
        api: String,
        id: String,
        prior: Option<Ordered<RequestValidator>>,
    },
    GatewayResponse {
        api: String,
        response_type: String,
        prior: Option<GatewayResponse>,
    },
    DocumentationPart {
        api: String,
        id: String,
        prior: Option<Ordered<DocumentationPart>>,
    },
    DocumentationVersion {
        api: String,
        version: String,
        prior: Option<Ordered<DocumentationVersion>>,
    },
    UsagePlan {
        id: String,
        prior: Option<Ordered<UsagePlanRec>>,
    },
    ApiKey {
        id: String,
        prior: Option<Ordered<ApiKey>>,
    },
}

/// A mutation applied in memory whose journal write is not yet durable.
#[derive(Clone, Debug)]
struct Pending {
    id: u64,
    seq_before: u64,
    undo: Vec<Undo>,
}

/// Puts back an entry of a map as it was.
fn restore<T>(map: &mut BTreeMap<String, T>, key: String, prior: Option<T>) {
    match prior {
        Some(value) => {
            map.insert(key, value);
        }
        None => {
            map.remove(&key);
        }
    }
}

/// Every REST API.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// APIs by id.
    pub apis: BTreeMap<String, Api>,
    /// Usage plans by id (account-wide).
    pub usage_plans: BTreeMap<String, Ordered<UsagePlanRec>>,
    /// API keys by id (account-wide).
    pub api_keys: BTreeMap<String, Ordered<ApiKey>>,
    seq: u64,
    /// Mutations applied but not yet durable, oldest first.
    pending: VecDeque<Pending>,
    next_pending: u64,
    generation: Generation,
}

/// A number that changes whenever the store does, never reused by another store of the process (so
/// what is derived from a store, such as the data plane's per-stage plans, knows when it is stale).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generation(u64);

impl Generation {
    fn next() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Self(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Default for Generation {
    fn default() -> Self {
        Self::next()
    }
}

impl Store {
    /// A usage plan, or AWS's 404.
    ///
    /// # Errors
    /// 404 `Invalid Usage Plan ID specified`.
    pub fn usage_plan(&self, id: &str) -> Result<&Ordered<UsagePlanRec>, Error> {
        self.usage_plans
            .get(id)
            .ok_or_else(|| Error::from(usage_plan::not_found()))
    }

    /// An API key, or the 404.
    ///
    /// # Errors
    /// 404 `Invalid API Key identifier specified`.
    pub fn api_key(&self, id: &str) -> Result<&Ordered<ApiKey>, Error> {
        self.api_keys
            .get(id)
            .ok_or_else(|| Error::from(api_key::not_found()))
    }

    /// Whether stage `stage` of API `api` exists.
    #[must_use]
    pub fn stage_exists(&self, api: &str, stage: &str) -> bool {
        self.apis
            .get(api)
            .is_some_and(|a| a.stages.contains_key(stage))
    }

    /// The usage plans that cover stage `stage` of `api` (all stages of `api` when `stage` is `None`),
    /// with that coverage removed: what DeleteStage and DeleteRestApi commit (docs/aws-behaviour.md §9).
    #[must_use]
    pub fn plans_without(&self, api: &str, stage: Option<&str>) -> Vec<Ordered<UsagePlanRec>> {
        let covers = |s: &stagecraft_core::api::usage_plan::ApiStage| {
            s.api_id.as_deref() == Some(api) && stage.is_none_or(|n| s.stage.as_deref() == Some(n))
        };
        self.usage_plans
            .values()
            .filter(|p| p.value.plan.api_stages.iter().any(covers))
            .map(|p| {
                let mut p = p.clone();
                p.value.plan.api_stages.retain(|s| !covers(s));
                p
            })
            .collect()
    }

    /// An API, or AWS's 404 (`Invalid API identifier specified {account}:{id}`).
    ///
    /// # Errors
    /// The 404.
    pub fn api(&self, account: &str, id: &str) -> Result<&Api, Error> {
        self.apis
            .get(id)
            .ok_or_else(|| Error::from(rest_api::not_found(account, id)))
    }

    /// The next creation-order number.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Applies one record. Records about an API that does not exist are ignored.
    pub fn apply(&mut self, record: Record) {
        drop(self.apply_undoable(record));
    }

    /// The store's [`Generation`].
    #[must_use]
    pub const fn generation(&self) -> Generation {
        self.generation
    }

    /// Applies one record and returns what it replaced.
    fn apply_undoable(&mut self, record: Record) -> Undo {
        self.generation = Generation::next();
        match record {
            Record::PutApi { seq, api } => {
                self.seq = self.seq.max(seq);
                let id = api.id.clone();
                let prior = match self.apis.get_mut(&id) {
                    Some(entry) => Some((
                        std::mem::replace(&mut entry.seq, seq),
                        std::mem::replace(&mut entry.rest_api, api),
                    )),
                    None => {
                        self.apis.insert(
                            id.clone(),
                            Api {
                                seq,
                                rest_api: api,
                                ..Api::default()
                            },
                        );
                        None
                    }
                };
                Undo::ApiFields { id, prior }
            }
            Record::DeleteApi { id } => {
                let prior = self.apis.remove(&id);
                Undo::Api { id, prior }
            }
            Record::PutResource { api, resource } => {
                self.seq = self.seq.max(resource.seq);
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let id = resource.id.clone();
                let prior = a.resources.insert(id.clone(), resource);
                Undo::Resource { api, id, prior }
            }
            Record::DeleteResource { api, id } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let prior = a.resources.remove(&id);
                Undo::Resource { api, id, prior }
            }
            Record::PutDeployment {
                api,
                deployment,
                resources,
            } => {
                self.seq = self.seq.max(deployment.seq);
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let id = deployment.value.id.clone();
                let snapshot = match resources {
                    Some(resources) => a.snapshots.insert(id.clone(), Arc::new(resources)),
                    None => a.snapshots.get(&id).cloned(),
                };
                let prior = a.deployments.insert(id.clone(), deployment);
                Undo::Deployment {
                    api,
                    id,
                    prior,
                    snapshot,
                }
            }
            Record::DeleteDeployment { api, id } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let snapshot = a.snapshots.remove(&id);
                let prior = a.deployments.remove(&id);
                Undo::Deployment {
                    api,
                    id,
                    prior,
                    snapshot,
                }
            }
            Record::PutStage { api, stage } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let name = stage.stage_name.clone().unwrap_or_default();
                let prior = a.stages.insert(name.clone(), *stage);
                Undo::Stage {
                    api,
                    name,
                    prior,
                    caches: None,
                }
            }
            Record::DeleteStage { api, name } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let prior = a.stages.remove(&name);
                let caches = a.caches.remove(&name);
                Undo::Stage {
                    api,
                    name,
                    prior,
                    caches,
                }
            }
            Record::PutAuthorizer { api, authorizer } => {
                self.seq = self.seq.max(authorizer.seq);
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let id = authorizer.value.id.clone();
                let prior = a.authorizers.insert(id.clone(), authorizer);
                Undo::Authorizer { api, id, prior }
            }
            Record::DeleteAuthorizer { api, id } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let prior = a.authorizers.remove(&id);
                Undo::Authorizer { api, id, prior }
            }
            Record::PutModel { api, model } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let name = model.name.clone();
                let prior = a.models.insert(name.clone(), model);
                Undo::Model { api, name, prior }
            }
            Record::PutRequestValidator { api, validator } => {
                self.seq = self.seq.max(validator.seq);
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let id = validator.value.id.clone();
                let prior = a.request_validators.insert(id.clone(), validator);
                Undo::RequestValidator { api, id, prior }
            }
            Record::DeleteRequestValidator { api, id } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let prior = a.request_validators.remove(&id);
                Undo::RequestValidator { api, id, prior }
            }
            Record::PutGatewayResponse { api, response } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let response_type = response.response_type.clone();
                let prior = a.gateway_responses.insert(response_type.clone(), response);
                Undo::GatewayResponse {
                    api,
                    response_type,
                    prior,
                }
            }
            Record::DeleteGatewayResponse { api, response_type } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let prior = a.gateway_responses.remove(&response_type);
                Undo::GatewayResponse {
                    api,
                    response_type,
                    prior,
                }
            }
            Record::DeleteModel { api, name } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let prior = a.models.remove(&name);
                Undo::Model { api, name, prior }
            }
            Record::PutDocumentationPart { api, part } => {
                self.seq = self.seq.max(part.seq);
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let id = part.value.id.clone();
                let prior = a.documentation_parts.insert(id.clone(), part);
                Undo::DocumentationPart { api, id, prior }
            }
            Record::DeleteDocumentationPart { api, id } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let prior = a.documentation_parts.remove(&id);
                Undo::DocumentationPart { api, id, prior }
            }
            Record::PutDocumentationVersion { api, version } => {
                self.seq = self.seq.max(version.seq);
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let label = version.value.version.clone();
                let prior = a.documentation_versions.insert(label.clone(), version);
                Undo::DocumentationVersion {
                    api,
                    version: label,
                    prior,
                }
            }
            Record::DeleteDocumentationVersion { api, version } => {
                let Some(a) = self.apis.get_mut(&api) else {
                    return Undo::Nothing;
                };
                let prior = a.documentation_versions.remove(&version);
                Undo::DocumentationVersion {
                    api,
                    version,
                    prior,
                }
            }
            Record::PutUsagePlan { plan } => {
                self.seq = self.seq.max(plan.seq);
                let id = plan.value.plan.id.clone();
                let prior = self.usage_plans.insert(id.clone(), plan);
                Undo::UsagePlan { id, prior }
            }
            Record::DeleteUsagePlan { id } => {
                let prior = self.usage_plans.remove(&id);
                Undo::UsagePlan { id, prior }
            }
            Record::PutApiKey { key } => {
                self.seq = self.seq.max(key.seq);
                let id = key.value.id.clone();
                let prior = self.api_keys.insert(id.clone(), key);
                Undo::ApiKey { id, prior }
            }
            Record::DeleteApiKey { id } => {
                let prior = self.api_keys.remove(&id);
                Undo::ApiKey { id, prior }
            }
        }
    }

    /// Puts back what one record replaced (records are undone newest first).
    fn undo(&mut self, undo: Undo) {
        self.generation = Generation::next();
        match undo {
            Undo::Nothing => {}
            Undo::ApiFields { id, prior } => match prior {
                Some((seq, rest_api)) => {
                    if let Some(entry) = self.apis.get_mut(&id) {
                        entry.seq = seq;
                        entry.rest_api = rest_api;
                    }
                }
                None => {
                    self.apis.remove(&id);
                }
            },
            Undo::Api { id, prior } => restore(&mut self.apis, id, prior),
            Undo::Resource { api, id, prior } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    restore(&mut a.resources, id, prior);
                }
            }
            Undo::Deployment {
                api,
                id,
                prior,
                snapshot,
            } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    restore(&mut a.snapshots, id.clone(), snapshot);
                    restore(&mut a.deployments, id, prior);
                }
            }
            Undo::Stage {
                api,
                name,
                prior,
                caches,
            } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    if let Some(c) = caches {
                        a.caches.insert(name.clone(), c);
                    }
                    restore(&mut a.stages, name, prior);
                }
            }
            Undo::Authorizer { api, id, prior } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    restore(&mut a.authorizers, id, prior);
                }
            }
            Undo::Model { api, name, prior } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    restore(&mut a.models, name, prior);
                }
            }
            Undo::RequestValidator { api, id, prior } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    restore(&mut a.request_validators, id, prior);
                }
            }
            Undo::GatewayResponse {
                api,
                response_type,
                prior,
            } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    restore(&mut a.gateway_responses, response_type, prior);
                }
            }
            Undo::DocumentationPart { api, id, prior } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    restore(&mut a.documentation_parts, id, prior);
                }
            }
            Undo::DocumentationVersion {
                api,
                version,
                prior,
            } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    restore(&mut a.documentation_versions, version, prior);
                }
            }
            Undo::UsagePlan { id, prior } => restore(&mut self.usage_plans, id, prior),
            Undo::ApiKey { id, prior } => restore(&mut self.api_keys, id, prior),
        }
    }

    /// Undoes a mutation's records, newest first, and restores the creation-order counter.
    fn undo_all(&mut self, seq_before: u64, undo: Vec<Undo>) {
        for u in undo.into_iter().rev() {
            self.undo(u);
        }
        self.seq = seq_before;
    }

    /// Marks every pending mutation up to `id` durable: it can no longer be undone.
    pub(crate) fn settle(&mut self, id: u64) {
        while self.pending.front().is_some_and(|p| p.id <= id) {
            self.pending.pop_front();
        }
    }

    /// Undoes every pending mutation, newest first (their journal write failed, and later ones may
    /// build on them). Returns how many were undone.
    pub(crate) fn roll_back_pending(&mut self) -> usize {
        let n = self.pending.len();
        while let Some(p) = self.pending.pop_back() {
            self.undo_all(p.seq_before, p.undo);
        }
        n
    }

    /// The whole store as records, one group per API (for compaction).
    #[must_use]
    pub fn snapshot(&self) -> Vec<Vec<Record>> {
        let mut groups: Vec<Vec<Record>> =
            self.apis
                .iter()
                .map(|(id, api)| {
                    let mut out = vec![Record::PutApi {
                        seq: api.seq,
                        api: api.rest_api.clone(),
                    }];
                    out.extend(api.resources.values().map(|r| Record::PutResource {
                        api: id.clone(),
                        resource: r.clone(),
                    }));
                    out.extend(api.deployments.values().map(|d| Record::PutDeployment {
                        api: id.clone(),
                        deployment: d.clone(),
                        resources: api.snapshots.get(&d.value.id).map(|r| r.as_ref().clone()),
                    }));
                    out.extend(api.stages.values().map(|s| Record::PutStage {
                        api: id.clone(),
                        stage: Box::new(s.clone()),
                    }));
                    out.extend(api.authorizers.values().map(|a| Record::PutAuthorizer {
                        api: id.clone(),
                        authorizer: a.clone(),
                    }));
                    out.extend(api.models.values().map(|m| Record::PutModel {
                        api: id.clone(),
                        model: m.clone(),
                    }));
                    out.extend(api.gateway_responses.values().map(|r| {
                        Record::PutGatewayResponse {
                            api: id.clone(),
                            response: r.clone(),
                        }
                    }));
                    out.extend(api.request_validators.values().map(|v| {
                        Record::PutRequestValidator {
                            api: id.clone(),
                            validator: v.clone(),
                        }
                    }));
                    out.extend(api.documentation_parts.values().map(|p| {
                        Record::PutDocumentationPart {
                            api: id.clone(),
                            part: p.clone(),
                        }
                    }));
                    out.extend(api.documentation_versions.values().map(|v| {
                        Record::PutDocumentationVersion {
                            api: id.clone(),
                            version: v.clone(),
                        }
                    }));
                    out
                })
                .collect();
        let account: Vec<Record> = self
            .api_keys
            .values()
            .map(|k| Record::PutApiKey { key: k.clone() })
            .chain(
                self.usage_plans
                    .values()
                    .map(|p| Record::PutUsagePlan { plan: p.clone() }),
            )
            .collect();
        if !account.is_empty() {
            groups.push(account);
        }
        groups
    }
}

/// A mutation in progress: the store plus the records committed so far.
///
/// The store is reachable only through [`Tx::store`] (read) and [`Tx::commit`] (write), so every
/// change is a record that is journaled, and can be undone if the journal write fails.
pub struct Tx<'a> {
    /// The store (already holding earlier commits of this mutation).
    store: &'a mut Store,
    records: Vec<Record>,
    undo: Vec<Undo>,
    seq_before: u64,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(store: &'a mut Store) -> Self {
        let seq_before = store.seq;
        Self {
            store,
            records: Vec::new(),
            undo: Vec::new(),
            seq_before,
        }
    }

    /// The store as this mutation has changed it so far.
    #[must_use]
    pub fn store(&self) -> &Store {
        self.store
    }

    /// The next creation-order number.
    pub fn next_seq(&mut self) -> u64 {
        self.store.next_seq()
    }

    /// Applies a record and queues it for the journal.
    pub fn commit(&mut self, record: Record) {
        let undo = self.store.apply_undoable(record.clone());
        self.undo.push(undo);
        self.records.push(record);
    }

    /// The records committed so far, in order.
    pub(crate) fn records(&self) -> &[Record] {
        &self.records
    }

    /// Undoes everything this mutation committed.
    pub(crate) fn roll_back(self) {
        self.store.undo_all(self.seq_before, self.undo);
    }

    /// Keeps the changes for good (no journal to wait for).
    pub(crate) fn keep(self) {}

    /// Keeps the changes until the journal settles them ([`Store::settle`]) or rolls them back
    /// ([`Store::roll_back_pending`]). Returns the id to settle with.
    pub(crate) fn keep_pending(self) -> u64 {
        let store = self.store;
        store.next_pending += 1;
        let id = store.next_pending;
        store.pending.push_back(Pending {
            id,
            seq_before: self.seq_before,
            undo: self.undo,
        });
        id
    }
}

/// Now, in whole epoch seconds.
#[must_use]
pub fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as f64;
    Timestamp(secs)
}

/// A random id of `len` lowercase letters and digits, as AWS's ids look.
#[must_use]
pub fn new_id(len: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| char::from(CHARS[fastrand::usize(..CHARS.len())]))
        .collect()
}
