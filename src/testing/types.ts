/**
 * Wire shapes the emulator stores and serves. They are the services' JSON as-is (Graph incident and alert,
 * ARM incident envelope), kept as plain objects so users can assert on exactly what goes over the wire.
 */

/** `microsoft.graph.security.alertComment`. */
export interface GraphComment {
  comment: string;
  createdByDisplayName: string;
  createdDateTime: string;
}

/** One `alertEvidence` item; the derived type's fields sit next to the base fields. */
export interface GraphEvidence {
  "@odata.type": string;
  createdDateTime: string;
  verdict: string;
  remediationStatus: string;
  remediationStatusDetails: string | null;
  roles: string[];
  detailedRoles: string[];
  tags: string[];
  [field: string]: unknown;
}

/** `microsoft.graph.security.alert` (alerts_v2). */
export interface GraphAlert {
  "@odata.type": "#microsoft.graph.security.alert";
  id: string;
  providerAlertId: string;
  incidentId: string;
  status: string;
  severity: string;
  classification: string | null;
  determination: string | null;
  serviceSource: string;
  detectionSource: string;
  productName: string;
  detectorId: string;
  tenantId: string;
  title: string;
  description: string;
  recommendedActions: string;
  category: string;
  assignedTo: string | null;
  alertWebUrl: string;
  incidentWebUrl: string;
  actorDisplayName: string | null;
  threatDisplayName: string | null;
  threatFamilyName: string | null;
  mitreTechniques: string[];
  createdDateTime: string;
  lastUpdateDateTime: string;
  resolvedDateTime: string | null;
  firstActivityDateTime: string;
  lastActivityDateTime: string;
  investigationState: string;
  alertPolicyId: string | null;
  systemTags: string[];
  comments: GraphComment[];
  evidence: GraphEvidence[];
}

/** `microsoft.graph.security.incident` with its alerts (served only with `$expand=alerts`). */
export interface GraphIncident {
  "@odata.type": "#microsoft.graph.security.incident";
  id: string;
  incidentWebUrl: string;
  redirectIncidentId: string | null;
  displayName: string;
  tenantId: string;
  createdDateTime: string;
  lastUpdateDateTime: string;
  assignedTo: string | null;
  classification: string | null;
  determination: string | null;
  status: string;
  severity: string;
  customTags: string[];
  systemTags: string[];
  comments: GraphComment[];
  description: string | null;
  summary: string | null;
  resolvingComment: string | null;
  lastModifiedBy: string | null;
  alerts: GraphAlert[];
}

/** `IncidentOwnerInfo`. */
export interface SentinelOwner {
  objectId: string | null;
  email: string | null;
  assignedTo: string | null;
  userPrincipalName: string | null;
  ownerType: string;
}

/** A label of an emulated Sentinel incident, as stored: its name and type (`User` or `AutoAssigned`). */
export interface SentinelLabel {
  labelName: string;
  labelType: string;
}

/** `IncidentProperties` as the service returns them. */
export interface SentinelIncidentProperties {
  title: string;
  severity: string;
  status: string;
  description?: string;
  classification?: string;
  classificationReason?: string;
  classificationComment?: string;
  owner: SentinelOwner;
  labels: SentinelLabel[];
  firstActivityTimeUtc?: string;
  lastActivityTimeUtc?: string;
  createdTimeUtc: string;
  lastModifiedTimeUtc: string;
  incidentNumber: number;
  incidentUrl: string;
  providerName: string;
  providerIncidentId: string;
  relatedAnalyticRuleIds: string[];
  additionalData: {
    alertsCount: number;
    bookmarksCount: number;
    commentsCount: number;
    alertProductNames: string[];
    tactics: string[];
    techniques: string[];
    providerIncidentUrl?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** ARM `Incident` resource. */
export interface SentinelIncident {
  id: string;
  name: string;
  type: "Microsoft.SecurityInsights/incidents";
  etag: string;
  properties: SentinelIncidentProperties;
}

/** ARM `IncidentComment` resource (its etag is not quoted, quirk S3). */
export interface SentinelComment {
  id: string;
  name: string;
  type: "Microsoft.SecurityInsights/incidents/comments";
  etag: string;
  properties: {
    message: string;
    createdTimeUtc: string;
    lastModifiedTimeUtc: string;
    author: {
      objectId: string | null;
      email: string | null;
      name: string | null;
      userPrincipalName: string | null;
    };
  };
}

/** `SecurityAlert` entity as returned by `POST …/incidents/{id}/alerts`. */
export interface SentinelAlert {
  id: string;
  name: string;
  type: "Microsoft.SecurityInsights/Entities";
  kind: "SecurityAlert";
  properties: Record<string, unknown>;
}

/** An entity as returned by `POST …/incidents/{id}/entities`. */
export interface SentinelEntity {
  id: string;
  name: string;
  type: "Microsoft.SecurityInsights/Entities";
  kind: string;
  properties: Record<string, unknown>;
}

/** A directory user: analysts who own incidents and write comments. */
export interface EmulatorUser {
  objectId: string;
  userPrincipalName: string;
  email: string;
  displayName: string;
}
