import { ArgsType, Field, ID } from 'type-graphql';
import { IsOptional, Length } from 'class-validator';
import { EventType } from './event-type.enum';

const AFTER = 'Resume after this event (an event id, e.g. the last one this client received, or a connection\'s endCursor): the events published after it are replayed from the outbox first, oldest first, then live ones follow, none twice. EVENT_NOT_FOUND when the organization has no such event (any more: events are kept HUB_EVENT_RETENTION_DAYS). Omitted: only events published from now on.';

@ArgsType()
export class ResumeArgs {
  @Field(() => ID, { nullable: true, description: AFTER })
  @IsOptional()
  after?: string | null;
}

@ArgsType()
export class EventsSubscriptionArgs extends ResumeArgs {
  @Field(() => [EventType], { nullable: true, description: 'Only these types; omitted or empty: every type the role may receive (docs/roles.md). A type the role may not receive is FORBIDDEN.' })
  @IsOptional()
  types?: string[] | null;
}

@ArgsType()
export class CoverageChangedArgs extends ResumeArgs {
  @Field(() => String, { nullable: true, description: 'Only requirements of this framework (its key; the version coverage(framework:) reads). NOT_FOUND for an unknown key.' })
  @IsOptional()
  @Length(1, 100)
  framework?: string | null;

  @Field(() => ID, { nullable: true, description: 'For one AI system\'s dashboard (NOT_FOUND if the organization has no such system). The deltas are organization-wide statuses, and a system\'s coverage counts organization-wide evidence as well as its own, so every organization-wide delta is delivered: the system\'s own report may or may not have moved with it (read coverage(framework:, aiSystemId:) to see).' })
  @IsOptional()
  aiSystemId?: string | null;
}
