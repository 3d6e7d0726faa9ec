import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2WithRequestContext, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * What API Gateway's HTTP API (payload format 2.0) sends and takes back; the
 * local server builds the same events. With IAM authorization the caller's
 * principal is in requestContext.authorizer.iam (only the part read here is typed).
 */
export type HttpEvent = APIGatewayProxyEventV2WithRequestContext<APIGatewayEventRequestContextV2 & { authorizer?: { iam?: { userArn?: string } } }>;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string; headers: Record<string, string> };
