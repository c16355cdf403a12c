/** What the REST API accepts, shared by the upload form and the server that checks it. */

/** Image types the API reads (enrolment and `/api/recognize`); anything else is a 415. */
export const IMAGE_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/webp'];
