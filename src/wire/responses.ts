/**
 * The response types of the contract, taken from the official SDK's published declarations so
 * that presenters are checked against what clients compile against.
 */
export type {
  BlockObjectResponse,
  BotUserObjectResponse,
  CommentObjectResponse,
  FileUploadObjectResponse,
  PageObjectResponse,
  PartialUserObjectResponse,
  PersonUserObjectResponse,
  RichTextItemResponse,
  UserObjectResponse,
} from '@notionhq/client';
export type {
  GetPageMarkdownResponse,
  ListDataSourceTemplatesResponse,
} from '@notionhq/client/build/src/api-endpoints.js';
