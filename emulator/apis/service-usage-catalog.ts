// The services the emulator's Service Usage knows, with the titles Google shows, and the ones a new
// project starts with. A name outside this catalog is a service that does not exist (or that the
// caller may not see): Google answers 403 for it, never 404.

/**
 * Enabled on every project created with the console or gcloud, per Google's "Enabled services"
 * page (cloud.google.com/service-usage/docs/enabled-service, "Services enabled by default").
 * Note what is NOT here: run, iam, secretmanager, artifactregistry, cloudresourcemanager must be
 * enabled before use, which is why a reconciler enables them first.
 */
export const DEFAULT_ENABLED_SERVICES: readonly string[] = [
  'analyticshub.googleapis.com',
  'bigquery.googleapis.com',
  'bigqueryconnection.googleapis.com',
  'bigquerydatapolicy.googleapis.com',
  'bigquerymigration.googleapis.com',
  'bigqueryreservation.googleapis.com',
  'bigquerystorage.googleapis.com',
  'cloudapis.googleapis.com',
  'cloudtrace.googleapis.com',
  'dataform.googleapis.com',
  'dataplex.googleapis.com',
  'datastore.googleapis.com',
  'logging.googleapis.com',
  'monitoring.googleapis.com',
  'servicemanagement.googleapis.com',
  'serviceusage.googleapis.com',
  'sql-component.googleapis.com',
  'storage-api.googleapis.com',
  'storage-component.googleapis.com',
  'storage.googleapis.com',
];

/** Service name -> title (ServiceConfig.title). */
export const SERVICE_TITLES: Readonly<Record<string, string>> = {
  'aiplatform.googleapis.com': 'Vertex AI API',
  'analyticshub.googleapis.com': 'Analytics Hub API',
  'apikeys.googleapis.com': 'API Keys API',
  'appengine.googleapis.com': 'App Engine Admin API',
  'artifactregistry.googleapis.com': 'Artifact Registry API',
  'bigquery.googleapis.com': 'BigQuery API',
  'bigqueryconnection.googleapis.com': 'BigQuery Connection API',
  'bigquerydatapolicy.googleapis.com': 'BigQuery Data Policy API',
  'bigquerymigration.googleapis.com': 'BigQuery Migration API',
  'bigqueryreservation.googleapis.com': 'BigQuery Reservation API',
  'bigquerystorage.googleapis.com': 'BigQuery Storage API',
  'cloudapis.googleapis.com': 'Google Cloud APIs',
  'cloudbuild.googleapis.com': 'Cloud Build API',
  'cloudfunctions.googleapis.com': 'Cloud Functions API',
  'cloudresourcemanager.googleapis.com': 'Cloud Resource Manager API',
  'cloudscheduler.googleapis.com': 'Cloud Scheduler API',
  'cloudtrace.googleapis.com': 'Cloud Trace API',
  'compute.googleapis.com': 'Compute Engine API',
  'containerregistry.googleapis.com': 'Container Registry API',
  'dataform.googleapis.com': 'Dataform API',
  'dataplex.googleapis.com': 'Cloud Dataplex API',
  'datastore.googleapis.com': 'Cloud Datastore API',
  'eventarc.googleapis.com': 'Eventarc API',
  'firestore.googleapis.com': 'Cloud Firestore API',
  'generativelanguage.googleapis.com': 'Generative Language API',
  'iam.googleapis.com': 'Identity and Access Management (IAM) API',
  'iamcredentials.googleapis.com': 'IAM Service Account Credentials API',
  'logging.googleapis.com': 'Cloud Logging API',
  'monitoring.googleapis.com': 'Cloud Monitoring API',
  'pubsub.googleapis.com': 'Cloud Pub/Sub API',
  'run.googleapis.com': 'Cloud Run Admin API',
  'secretmanager.googleapis.com': 'Secret Manager API',
  'servicemanagement.googleapis.com': 'Service Management API',
  'serviceusage.googleapis.com': 'Service Usage API',
  'sql-component.googleapis.com': 'Cloud SQL',
  'sqladmin.googleapis.com': 'Cloud SQL Admin API',
  'storage-api.googleapis.com': 'Google Cloud Storage JSON API',
  'storage-component.googleapis.com': 'Cloud Storage',
  'storage.googleapis.com': 'Cloud Storage API',
};

export const KNOWN_SERVICES: readonly string[] = Object.keys(SERVICE_TITLES).sort();

export const isKnownService = (service: string): boolean => Object.hasOwn(SERVICE_TITLES, service);
