/** Business-scenario apps (src/apps) and the data flywheel's feedback (src/flywheel). */
export interface AppsTable {
  id: string;
  /** Globally unique: callers name the app as the model `app:<slug>`. */
  slug: string;
  tenant_id: string;
  name: string;
  description: string | null;
  /** A model or pool name, or `auto`. */
  model: string;
  system_prompt: string;
  /** JSON array of knowledge-base names. */
  knowledge_bases: string;
  /** JSON object: default values of {{variables}}. */
  variables: string;
  welcome: string | null;
  /** JSON array of strings. */
  suggested_questions: string;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface AppSharesTable {
  app_id: string;
  tenant_id: string;
  created_at: number;
}

/** One rating per captured exchange (the latest wins); correction and comment stored redacted. */
export interface FeedbackTable {
  request_id: string;
  tenant_id: string;
  key_id: string | null;
  rating: number;
  correction: string | null;
  comment: string | null;
  created_at: number;
  updated_at: number;
}

export interface AppTables {
  apps: AppsTable;
  app_shares: AppSharesTable;
  feedback: FeedbackTable;
}
