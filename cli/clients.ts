import { Client, Connection } from '@temporalio/client';
import { MongoClient, type Db } from 'mongodb';
import nodemailer, { type Transporter } from 'nodemailer';
import twilio from 'twilio';
import { aliyunSmsClient, type AliyunSmsClient } from '../activities/sms-aliyun.ts';
import type { Endpoints } from '../embedded/index.ts';
import type { Config } from './config.ts';

/** The long-lived clients a Waymark process holds, built once from the endpoints. */
export interface Clients {
  temporal: Client;
  mongo: MongoClient;
  db: Db;
  /** Pooled SMTP transport. */
  mailer: Transporter;
  twilio: ReturnType<typeof twilio>;
  twilioFrom: string;
  /** Twilio signs webhooks with it; the API validates their signatures. */
  twilioAuthToken: string;
  /** Aliyun SMS (or its sandbox) when it is the SMS provider of journey sends. */
  aliyunSms?: AliyunSmsClient;
  close(): Promise<void>;
}

/**
 * Connects to Temporal, MongoDB, SMTP and Twilio (or the SMS sandbox), and Aliyun SMS when it is the provider.
 *
 * @example const clients = await createClients(config, endpoints);
 */
export async function createClients(config: Config, endpoints: Endpoints): Promise<Clients> {
  const connection = await Connection.connect({
    address: endpoints.temporal.address,
    ...(config.temporal.tls ? { tls: true } : {}),
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
  });
  const temporal = new Client({ connection, namespace: endpoints.temporal.namespace });
  const mongo = await MongoClient.connect(endpoints.mongo.url, { serverSelectionTimeoutMS: 5_000 });
  const mailer: Transporter = nodemailer.createTransport({ pool: true, url: endpoints.smtp.url, maxConnections: 5 });
  const sms = twilio(endpoints.twilio.accountSid, endpoints.twilio.authToken);
  if (endpoints.twilio.baseUrl) sms.api.baseUrl = endpoints.twilio.baseUrl;
  return {
    temporal,
    mongo,
    db: mongo.db(config.mongo.db),
    mailer,
    twilio: sms,
    twilioFrom: endpoints.twilio.from,
    twilioAuthToken: endpoints.twilio.authToken,
    ...(endpoints.aliyun ? { aliyunSms: aliyunSmsClient(endpoints.aliyun) } : {}),
    close: async () => {
      mailer.close();
      await Promise.allSettled([connection.close(), mongo.close()]);
    },
  };
}
