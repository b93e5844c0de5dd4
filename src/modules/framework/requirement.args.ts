import { ArgsType, Field, InputType } from 'type-graphql';
import { IsOptional, Length, ValidateNested } from 'class-validator';
import { PageArgs } from '../../graphql/connection.type';
import { RequirementKind } from './framework.enums';

@InputType({ description: 'Narrows a framework\'s requirement list. All given conditions must hold.' })
export class RequirementFilter {
  @Field(() => RequirementKind, { nullable: true, description: 'Only nodes of this kind.' })
  kind?: RequirementKind;

  @Field(() => String, { nullable: true, description: 'Only direct children of the node with this ref, e.g. "A.5" or "Art. 26".' })
  @IsOptional()
  @Length(1, 100)
  parentRef?: string;

  @Field(() => Boolean, { nullable: true, description: 'Only assessable nodes (true) or only grouping nodes (false).' })
  assessable?: boolean;

  @Field(() => String, { nullable: true, description: 'Full-text match on ref, title, summary and text (web-search syntax).' })
  @IsOptional()
  @Length(1, 200)
  search?: string;
}

@ArgsType()
export class RequirementsArgs extends PageArgs {
  @Field(() => RequirementFilter, { nullable: true, description: 'Conditions on the listed requirements.' })
  @IsOptional()
  @ValidateNested()
  filter?: RequirementFilter;
}
