import { ApiProperty } from '@nestjs/swagger';
import { type PostRecord } from '@app/storage/records';

export class PostResponseDto {
  @ApiProperty({ example: 't1_k2x9q0a' }) readonly fullname!: string;
  @ApiProperty({ enum: ['submission', 'comment'], example: 'comment' }) readonly kind!:
    'submission' | 'comment';
  @ApiProperty({ example: '2025-01-01T11:59:58.000Z' }) readonly createdAt!: string;
  @ApiProperty({ example: 'spez', nullable: true, type: String }) readonly author!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) readonly title!: string | null;
  @ApiProperty({ example: 'Great answer, thanks!', nullable: true, type: String })
  readonly body!: string | null;
  @ApiProperty({ enum: ['present', 'empty', 'deleted', 'removed'], example: 'present' })
  readonly bodyState!: string;
  @ApiProperty({ example: '/r/AskReddit/comments/abc/x/k2x9q0a/' }) readonly permalink!: string;
  @ApiProperty({ example: null, nullable: true, type: String }) readonly url!: string | null;
  @ApiProperty({ example: 12 }) readonly score!: number;
  @ApiProperty({ example: 0.6588, nullable: true, type: Number }) readonly sentimentScore!:
    number | null;
  @ApiProperty({ example: 'positive', nullable: true, type: String }) readonly sentimentLabel!:
    string | null;
  @ApiProperty({
    example: 'reddit-1a2b3c4d',
    nullable: true,
    type: String,
    description: 'The model that scored it ("reddit-…" or "vader"); null when it was not scored.',
  })
  readonly sentimentModel!: string | null;

  static from(post: PostRecord): PostResponseDto {
    return {
      fullname: post.fullname,
      kind: post.kind,
      createdAt: new Date(post.createdAtMs).toISOString(),
      author: post.author,
      title: post.title,
      body: post.body,
      bodyState: post.bodyState,
      permalink: post.permalink,
      url: post.url,
      score: post.score,
      sentimentScore: post.sentimentScore,
      sentimentLabel: post.sentimentLabel,
      sentimentModel: post.sentimentModel,
    };
  }
}

export class PostsResponseDto {
  @ApiProperty({ example: 'askreddit' }) readonly subreddit!: string;
  @ApiProperty({ type: [PostResponseDto] }) readonly posts!: PostResponseDto[];
}
