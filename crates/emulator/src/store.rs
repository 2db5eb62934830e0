//! The emulator's data: REST APIs with their resources, methods, deployments, stages and authorizers,
//! plus the per-stage caches that the flush operations clear.
//!
//! Every change is a [`Record`] (a whole object put, or a delete). Handlers check a request against
//! the store, then [`Tx::commit`] records; the same [`Store::apply`] runs live and on replay of the
//! state file, so what is replayed is exactly what was acknowledged.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use stagecraft_core::api::{Authorizer, Deployment, Method, RestApi};
use stagecraft_core::{Environment, Stage, Timestamp, messages};

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

/// A value with its creation order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ordered<T> {
    /// Creation order.
    pub seq: u64,
    /// The value.
    pub value: T,
}

/// Per-stage caches. Nothing fills them yet (the data plane will); the flush operations empty them.
#[derive(Clone, Debug, Default)]
pub struct StageCaches {
    /// Authorizer results by (authorizer id, identity) key.
    pub authorizer: HashMap<String, Value>,
    /// Responses by cache key.
    pub response: HashMap<String, Value>,
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
    /// Caches by stage name (not persisted).
    pub caches: HashMap<String, StageCaches>,
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
            .ok_or_else(|| Error::not_found(messages::INVALID_STAGE_ID))
    }

    /// A resource, or AWS's 404.
    ///
    /// # Errors
    /// 404 `Invalid Resource identifier specified`.
    pub fn resource(&self, id: &str) -> Result<&ResourceRec, Error> {
        self.resources
            .get(id)
            .ok_or_else(|| Error::not_found(messages::INVALID_RESOURCE_ID))
    }

    /// An authorizer, or the 404.
    ///
    /// # Errors
    /// 404 `Invalid Authorizer identifier specified`.
    pub fn authorizer(&self, id: &str) -> Result<&Authorizer, Error> {
        self.authorizers
            .get(id)
            .map(|a| &a.value)
            .ok_or_else(|| Error::not_found(messages::INVALID_AUTHORIZER_ID))
    }

    /// A deployment, or the 404.
    ///
    /// # Errors
    /// 404 `Invalid Deployment identifier specified`.
    pub fn deployment(&self, id: &str) -> Result<&Deployment, Error> {
        self.deployments
            .get(id)
            .map(|d| &d.value)
            .ok_or_else(|| Error::not_found(messages::INVALID_DEPLOYMENT_ID))
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
}

/// Every REST API.
#[derive(Clone, Debug, Default)]
pub struct Store {
    /// APIs by id.
    pub apis: BTreeMap<String, Api>,
    seq: u64,
}

impl Store {
    /// An API, or AWS's 404 (`Invalid API identifier specified {account}:{id}`).
    ///
    /// # Errors
    /// The 404.
    pub fn api(&self, account: &str, id: &str) -> Result<&Api, Error> {
        self.apis
            .get(id)
            .ok_or_else(|| Error::not_found(messages::invalid_api_id(account, id)))
    }

    /// The next creation-order number.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Applies one record. Records about an API that does not exist are ignored.
    pub fn apply(&mut self, record: Record) {
        match record {
            Record::PutApi { seq, api } => {
                self.seq = self.seq.max(seq);
                let entry = self.apis.entry(api.id.clone()).or_default();
                entry.seq = seq;
                entry.rest_api = api;
            }
            Record::DeleteApi { id } => {
                self.apis.remove(&id);
            }
            Record::PutResource { api, resource } => {
                self.seq = self.seq.max(resource.seq);
                if let Some(a) = self.apis.get_mut(&api) {
                    a.resources.insert(resource.id.clone(), resource);
                }
            }
            Record::DeleteResource { api, id } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    a.resources.remove(&id);
                }
            }
            Record::PutDeployment {
                api,
                deployment,
                resources,
            } => {
                self.seq = self.seq.max(deployment.seq);
                if let Some(a) = self.apis.get_mut(&api) {
                    if let Some(resources) = resources {
                        a.snapshots
                            .insert(deployment.value.id.clone(), Arc::new(resources));
                    }
                    a.deployments
                        .insert(deployment.value.id.clone(), deployment);
                }
            }
            Record::DeleteDeployment { api, id } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    a.snapshots.remove(&id);
                    a.deployments.remove(&id);
                }
            }
            Record::PutStage { api, stage } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    let name = stage.stage_name.clone().unwrap_or_default();
                    a.stages.insert(name, *stage);
                }
            }
            Record::DeleteStage { api, name } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    a.stages.remove(&name);
                    a.caches.remove(&name);
                }
            }
            Record::PutAuthorizer { api, authorizer } => {
                self.seq = self.seq.max(authorizer.seq);
                if let Some(a) = self.apis.get_mut(&api) {
                    a.authorizers
                        .insert(authorizer.value.id.clone(), authorizer);
                }
            }
            Record::DeleteAuthorizer { api, id } => {
                if let Some(a) = self.apis.get_mut(&api) {
                    a.authorizers.remove(&id);
                }
            }
        }
    }

    /// The whole store as records, one group per API (for compaction).
    #[must_use]
    pub fn snapshot(&self) -> Vec<Vec<Record>> {
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
                out
            })
            .collect()
    }
}

/// A mutation in progress: the store plus the records committed so far.
pub struct Tx<'a> {
    /// The store (already holding earlier commits of this mutation).
    pub store: &'a mut Store,
    records: Vec<Record>,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(store: &'a mut Store) -> Self {
        Self {
            store,
            records: Vec::new(),
        }
    }

    /// Applies a record and queues it for the journal.
    pub fn commit(&mut self, record: Record) {
        self.store.apply(record.clone());
        self.records.push(record);
    }

    pub(crate) fn into_records(self) -> Vec<Record> {
        self.records
    }
}

/// Now, in whole epoch seconds.
#[must_use]
pub fn now() -> Timestamp {
    #[allow(clippy::cast_precision_loss)]
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
