import{C as e,S as t,T as n,_ as r,b as i,d as a,f as o,g as s,i as c,l,o as u,p as ee,s as d,u as f,v as te,x as p,y as m}from"./index-4Y3lH13m.js";var h=e=>{let t=new URLSearchParams;for(let[n,r]of Object.entries(e))r!=null&&r!==``&&t.set(n,String(r));return t.toString()};async function ne(){let e=await r(`/api/v1/me`);return`user`in e?e:null}var g=e=>r(`/api/v1/shops?${h({limit:200,cursor:e})}`),_=e=>r(`/api/v1/shops`,{method:`POST`,body:e}).then(e=>e.shop),re=e=>r(`/api/v1/shops/${m(e)}/members`),v=(e,t,n)=>r(`/api/v1/shops/${m(e)}/members/${m(t)}`,{method:`PUT`,body:{role:n}}).then(e=>e.member),ie=(e,t)=>r(`/api/v1/shops/${m(e)}/members/${m(t)}`,{method:`DELETE`}),y=(e,t,n=50)=>r(`/api/v1/shops/${m(e)}/products?${h({limit:n,cursor:t})}`);async function b(e){let t=[],n=null;do{let r=await y(e,n,200);t.push(...r.items),n=r.next_cursor}while(n&&t.length<5e3);return t}var ae=e=>r(`/api/v1/products/${m(e)}`).then(e=>e.product),oe=(e,t)=>r(`/api/v1/shops/${m(e)}/products`,{method:`POST`,body:t}).then(e=>e.product),se=(e,t)=>r(`/api/v1/products/${m(e)}`,{method:`PATCH`,body:t}).then(e=>e.product),ce=e=>r(`/api/v1/products/${m(e)}`,{method:`DELETE`}),le=e=>r(`/api/v1/skus/${m(e)}/stock`),ue=(e,t)=>r(`/api/v1/skus/${m(e)}/stock`,{method:`PUT`,body:{on_hand:t}}),x=[`image/png`,`image/jpeg`,`image/webp`];function de(e,t,n,r){return new Promise((i,a)=>{let o=new XMLHttpRequest;o.open(`POST`,`/api/v1/shops/${m(e)}/images`),o.setRequestHeader(`Content-Type`,t.type),o.setRequestHeader(`Accept`,`application/json`);let c=localStorage.getItem(`hawker.csrf`);c&&o.setRequestHeader(`X-CSRF-Token`,c),o.upload.onprogress=e=>e.lengthComputable&&n(e.loaded/e.total),o.onload=()=>{let e=null;try{e=JSON.parse(o.responseText)}catch{}if(o.status===201){n(1),i(e.image);return}let t=e?.error;a(new s(o.status,t?.code??`http_`+o.status,t?.message??o.statusText,t?.field))},o.onerror=()=>a(new s(0,`network`,`network error`)),o.onabort=()=>a(new s(0,`aborted`,`aborted`)),r?.addEventListener(`abort`,()=>o.abort(),{once:!0}),o.send(t)})}var S=(e,t)=>r(`/api/v1/shows?${h({shop_id:e,limit:100,cursor:t})}`),fe=(e,t)=>r(`/api/v1/shows`,{method:`POST`,body:{shop_id:e,...t}}).then(e=>e.show),pe=(e,t)=>r(`/api/v1/shows/${m(e)}`,{method:`PATCH`,body:t}).then(e=>e.show),me=e=>r(`/api/v1/shows/${m(e)}/products`).then(e=>e.items),he=(e,t)=>r(`/api/v1/shows/${m(e)}/products`,{method:`PUT`,body:{product_ids:t}}).then(e=>e.items),ge=e=>r(`/api/v1/shows/${m(e)}/stream-key`,{method:`POST`}),_e=e=>r(`/api/v1/shows/${m(e)}/team`).then(e=>e.items),ve=(e,t,n)=>r(`/api/v1/shows/${m(e)}/team/${m(t)}`,{method:`PUT`,body:{role:n}}).then(e=>e.member),ye=(e,t)=>r(`/api/v1/shows/${m(e)}/team/${m(t)}`,{method:`DELETE`}),be=(e,t,n=20)=>r(`/api/v1/orders?${h({shop_id:e.shop,state:e.state,show_id:e.show,limit:n,cursor:t})}`),C=e=>r(`/api/v1/orders/${m(e)}`).then(e=>e.order),xe=(e,t,n)=>r(`/api/v1/orders/${m(e)}/fulfil`,{method:`POST`,body:n?{tracking_number:t,carrier:n}:{tracking_number:t}}).then(e=>e.order),Se=e=>r(`/api/v1/orders/${m(e)}/cancel`,{method:`POST`,headers:{"Idempotency-Key":te()}}).then(e=>e.order);function Ce(e,t){let n=e.replace(/[\s\u00a0\u202f'’]/g,``);if(!n)return{ok:!1,why:`empty`};if(!/^\d[\d.,]*$/.test(n)||/[.,]$/.test(n))return{ok:!1,why:`invalid`};let r=n,i=``,a=n.split(`.`).length-1,o=n.split(`,`).length-1,s=(e,t)=>RegExp(`^\\d{1,3}(\\${t}\\d{3})+$`).test(e);if(a&&o){let e=n.lastIndexOf(`.`)>n.lastIndexOf(`,`)?`.`:`,`,t=e===`.`?`,`:`.`;if((e===`.`?a:o)!==1||([r,i]=n.split(e),!s(r,t)))return{ok:!1,why:`invalid`};r=r.split(t).join(``)}else if(a||o){let e=a?`.`:`,`,c=a||o,l=n.slice(n.lastIndexOf(e)+1);if(c>1||l.length===3&&t<3){if(!s(n,e))return{ok:!1,why:`invalid`};r=n.split(e).join(``)}else[r,i]=n.split(e)}if(i.length>t)return{ok:!1,why:`decimals`};if(r=r.replace(/^0+(?=\d)/,``),r.length+t>15)return{ok:!1,why:`range`};let c=Number(r+i.padEnd(t,`0`));return!Number.isSafeInteger(c)||c<1||c>0xe8d4a51000?{ok:!1,why:`range`}:{ok:!0,value:c}}function w(e,t,n){return new Intl.NumberFormat(n,{useGrouping:!1,minimumFractionDigits:t,maximumFractionDigits:t}).format(e/10**t)}function T(e,t,n){let r=e.trim();if(!/^\d{1,10}$/.test(r))return null;let i=Number(r);return i>=t&&i<=n?i:null}function E(e){if(!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(e))return null;let t=new Date(e);return Number.isNaN(t.getTime())?null:t.toISOString().replace(/\.\d{3}Z$/,`Z`)}function D(e){if(!e)return``;let t=new Date(e);if(Number.isNaN(t.getTime()))return``;let n=e=>String(e).padStart(2,`0`);return`${t.getFullYear()}-${n(t.getMonth()+1)}-${n(t.getDate())}T${n(t.getHours())}:${n(t.getMinutes())}`}var O={en:{"admin.title":`Seller admin`,"admin.loading":`Loading…`,"admin.retry":`Try again`,"admin.more":`Show more`,"admin.save":`Save`,"admin.saving":`Saving…`,"admin.cancel":`Cancel`,"admin.edit":`Edit`,"admin.delete":`Delete`,"admin.remove":`Remove`,"admin.add":`Add`,"admin.actions":`Actions`,"admin.backToList":`Back to the list`,"admin.access.login":`Log in with your seller account to manage your shop.`,"admin.access.loginButton":`Log in`,"admin.access.denied":`The seller admin is for shop sellers. Your account doesn't sell in any shop yet.`,"admin.access.hostHint":`You're on a shop's team as a host or moderator: you run shows from the studio, reached from the show's link your seller gives you.`,"admin.access.yourId":`Your user id (a seller adds you to a team with it):`,"admin.access.home":`Back to the home page`,"admin.shop.switch":`Shop`,"admin.shop.switchAdmin":`Shop (admin: every shop)`,"admin.shop.open":`Open a new shop`,"admin.shop.openTitle":`Open a shop`,"admin.shop.first":`You have no shop yet. Open your first one to start selling.`,"admin.shop.name":`Shop name`,"admin.shop.home":`Home market`,"admin.shop.markets":`Sells to`,"admin.shop.marketsHint":`The home market is always included.`,"admin.shop.create":`Open shop`,"admin.nav.label":`Seller admin sections`,"admin.nav.products":`Products`,"admin.nav.shows":`Shows`,"admin.nav.orders":`Orders`,"admin.nav.team":`Team`,"admin.err.network":`We couldn't reach the server. Check your connection and try again.`,"admin.err.session":`Your session has ended. Log in again to continue.`,"admin.err.forbidden":`You're not allowed to do this in this shop.`,"admin.err.notFound":`This no longer exists, or you can't see it.`,"admin.err.tooLarge":`This file is too large: images can be up to 5 MB.`,"admin.err.imageType":`Only PNG, JPEG and WebP images can be uploaded.`,"admin.err.busy":`The server is busy. Wait a moment and try again.`,"admin.err.server":`Something went wrong on our side. Try again in a moment.`,"admin.err.checkFields":`Some fields need your attention. Check the messages below each one.`,"admin.err.required":`Fill this in.`,"admin.err.count":`Enter a whole number from {min} to {max}.`,"admin.products.title":`Products`,"admin.products.new":`New product`,"admin.products.editTitle":`Edit product`,"admin.products.empty":`No products yet. Add your first one.`,"admin.products.image":`Image`,"admin.products.name":`Title`,"admin.products.description":`Description`,"admin.products.variants":`Variants`,"admin.products.variant":`Variant`,"admin.products.price":`Price ({market})`,"admin.products.untitled":`this product`,"admin.products.editNamed":`Edit {title}`,"admin.products.deleteNamed":`Delete {title}`,"admin.products.deleteTitle":`Delete “{title}”?`,"admin.products.deleteBody":`Buyers will no longer see or buy it, and it leaves every show's bag. This can't be undone.`,"admin.products.deleted":`“{title}” was deleted.`,"admin.products.created":`“{title}” was added.`,"admin.products.saved":`Your changes to “{title}” were saved.`,"admin.images.title":`Images`,"admin.images.none":`No images yet.`,"admin.images.add":`Add images`,"admin.images.hint":`PNG, JPEG or WebP, up to 5 MB each. The first image is the one buyers see first.`,"admin.images.alt":`Image {n} of {title}`,"admin.images.earlier":`Move image {n} earlier`,"admin.images.later":`Move image {n} later`,"admin.images.remove":`Remove image {n}`,"admin.images.uploading":`Uploading {name}`,"admin.images.done":`uploaded`,"admin.variants.title":`Variants and prices`,"admin.variants.hint":`Add options such as Size or Colour with their values separated by commas: each combination becomes a variant with its own code, prices and stock.`,"admin.variants.addOption":`Add an option`,"admin.variants.optionName":`Option`,"admin.variants.optionNameExample":`Size`,"admin.variants.optionValues":`Values, separated by commas`,"admin.variants.optionValuesExample":`S, M, L`,"admin.variants.removeOption":`Remove option {name}`,"admin.variants.count":`Variants: {n}`,"admin.variants.tooMany":`That makes too many combinations: a product can have at most {n} variants.`,"admin.variants.single":`Single variant`,"admin.variants.code":`SKU code`,"admin.variants.maxPerBuyer":`Limit per buyer`,"admin.variants.noLimit":`No limit`,"admin.price.label":`Price in {market} ({currency})`,"admin.price.decimals":`In {currency}, with up to {n} decimals. Leave empty to not sell in this market.`,"admin.price.wholeUnits":`In whole {currency}, without decimals. Leave empty to not sell in this market.`,"admin.price.invalid":`Enter a price such as 24.99.`,"admin.price.noDecimals":`{currency} has no decimals: enter a whole amount.`,"admin.price.tooManyDecimals":`{currency} has {n} decimals at most.`,"admin.price.range":`Enter a price above zero and below one trillion.`,"admin.price.needOne":`Give this variant a price in at least one market.`,"admin.stock.title":`Stock`,"admin.stock.hint":`On hand is what you have for sale. Reserved units wait for payment, sold units are paid; available is what buyers can still buy.`,"admin.stock.onHand":`On hand`,"admin.stock.reserved":`Reserved`,"admin.stock.sold":`Sold`,"admin.stock.available":`Available`,"admin.stock.set":`Set on hand`,"admin.stock.setFor":`On hand for {name}`,"admin.stock.saved":`Saved`,"admin.stock.belowCommitted":`On hand can't go below the {n} units already reserved or sold.`,"admin.shows.title":`Shows`,"admin.shows.new":`New show`,"admin.shows.empty":`No shows yet. Schedule your first one.`,"admin.shows.groupLive":`Live now`,"admin.shows.groupScheduled":`Scheduled`,"admin.shows.groupEnded":`Ended`,"admin.shows.name":`Title`,"admin.shows.state":`State`,"admin.shows.when":`When`,"admin.shows.markets":`Markets`,"admin.shows.marketsHint":`Every product in the bag needs a price in each market of the show. None ticked: all of the shop's markets.`,"admin.shows.manage":`Manage`,"admin.shows.manageNamed":`Manage {title}`,"admin.shows.studio":`Studio`,"admin.shows.openStudio":`Open the studio`,"admin.shows.openViewer":`Open the viewer page`,"admin.shows.details":`Details`,"admin.shows.endedReadOnly":`This show has ended: its details can no longer change.`,"admin.shows.startsAt":`Starts at (your time, {zone})`,"admin.shows.whenHint":`Pick a date and time in your own time zone.`,"admin.shows.inUTC":`That is {time}.`,"admin.shows.badTime":`Enter a complete date and time.`,"admin.shows.cover":`Cover image`,"admin.shows.noCover":`No cover yet.`,"admin.shows.coverAdd":`Upload a cover`,"admin.shows.coverChange":`Upload another cover`,"admin.shows.coverRemove":`Remove the cover`,"admin.shows.coverHint":`PNG, JPEG or WebP, up to 5 MB. A wide picture (16:9) looks best.`,"admin.shows.coverAlt":`Cover of {title}`,"admin.shows.create":`Schedule show`,"admin.shows.created":`“{title}” is scheduled. Now fill its bag.`,"admin.shows.saved":`Your changes to “{title}” were saved.`,"admin.showState.scheduled":`Scheduled`,"admin.showState.rehearsal":`Rehearsal`,"admin.showState.live":`Live`,"admin.showState.ended":`Ended`,"admin.bag.title":`Shopping bag`,"admin.bag.hint":`The products viewers can buy during the show, in this order.`,"admin.bag.empty":`The bag is empty.`,"admin.bag.add":`Add from your products`,"admin.bag.addNamed":`Add {title} to the bag`,"admin.bag.up":`Move {title} up`,"admin.bag.down":`Move {title} down`,"admin.bag.remove":`Take {title} out of the bag`,"admin.bag.save":`Save the bag`,"admin.bag.saved":`The bag was saved.`,"admin.bag.notSellable":`“{title}” can't be in this show's bag: {reason}`,"admin.key.title":`Stream key for OBS`,"admin.key.hint":`In OBS, choose the WHIP service, paste the server URL, and use the stream key as the bearer token.`,"admin.key.warn":`Making a new key stops the old one at once: if OBS is streaming with it, the broadcast is cut off.`,"admin.key.rotate":`Make a stream key`,"admin.key.rotateAgain":`Make another key`,"admin.key.confirmTitle":`Make a new stream key?`,"admin.key.confirmBody":`The current key stops working right away. If OBS is live with it now, viewers lose the picture until you paste the new key.`,"admin.key.confirmOk":`Make new key`,"admin.key.once":`This key is shown only once. Copy it now: if you lose it, make a new one.`,"admin.key.server":`Server URL (WHIP)`,"admin.key.key":`Stream key`,"admin.key.copy":`Copy key`,"admin.key.copyUrl":`Copy URL`,"admin.key.copied":`Copied`,"admin.key.copiedLong":`Copied to the clipboard.`,"admin.key.copyFailed":`Copying didn't work here: the text is selected, press Ctrl+C (⌘C on a Mac).`,"admin.key.ended":`This show has ended: it takes no stream key or team changes.`,"admin.showTeam.title":`Show team`,"admin.showTeam.hint":`Co-hosts run this show as its host does; moderators look after its chat.`,"admin.showTeam.empty":`Nobody besides the host yet.`,"admin.showTeam.added":`{name} joined the show's team ({role}).`,"admin.showTeam.removeTitle":`Take {name} off this show?`,"admin.showTeam.removeBody":`They lose their powers in this show at once.`,"admin.showRole.cohost":`Co-host`,"admin.showRole.moderator":`Moderator`,"admin.orders.title":`Orders`,"admin.orders.filters":`Filter orders`,"admin.orders.state":`State`,"admin.orders.allStates":`All states`,"admin.orders.show":`Show`,"admin.orders.allShows":`All shows`,"admin.orders.empty":`No orders match.`,"admin.orders.order":`Order`,"admin.orders.orderN":`Order {id}`,"admin.orders.placed":`Placed`,"admin.orders.items":`Items`,"admin.orders.total":`Total`,"admin.orders.details":`Details`,"admin.orders.openNamed":`Details of order {id}`,"admin.orders.pages":`Pages of orders`,"admin.orders.prev":`Newer`,"admin.orders.next":`Older`,"admin.orders.pageN":`Page {n}`,"admin.orders.back":`Back to orders`,"admin.orders.summary":`Summary`,"admin.orders.payment":`Payment`,"admin.orders.market":`Market`,"admin.orders.buyer":`Buyer`,"admin.orders.id":`Order id`,"admin.orders.tracking":`Tracking number`,"admin.orders.carrier":`Carrier`,"admin.orders.carrierHint":`Optional, e.g. DHL.`,"admin.orders.shippedAt":`Shipped`,"admin.orders.shipTo":`Ship to`,"admin.orders.noAddress":`The buyer hasn't given an address yet.`,"admin.orders.lines":`Items`,"admin.orders.product":`Product`,"admin.orders.qty":`Qty`,"admin.orders.unit":`Unit price`,"admin.orders.lineTotal":`Line total`,"admin.orders.deal":`Deal`,"admin.orders.subtotal":`Subtotal`,"admin.orders.tax":`Tax`,"admin.orders.taxIncluded":`Of which tax`,"admin.orders.shipping":`Shipping`,"admin.orders.fulfilTitle":`Ship this order`,"admin.orders.fulfil":`Mark as shipped`,"admin.orders.fulfilled":`Order {id} is marked as shipped.`,"admin.orders.cancelTitle":`Cancel this order`,"admin.orders.cancelHint":`It hasn't been paid: cancelling puts its units back on sale.`,"admin.orders.cancel":`Cancel order`,"admin.orders.cancelConfirmTitle":`Cancel this order?`,"admin.orders.cancelConfirmBody":`The buyer's reservation ends and the units go back on sale. This can't be undone.`,"admin.orders.cancelled":`Order {id} was cancelled.`,"admin.orders.refundTitle":`Cancel and refund`,"admin.orders.refundHint":`The buyer gets {total} back.`,"admin.orders.refund":`Cancel and refund`,"admin.orders.refundConfirmTitle":`Refund this order?`,"admin.orders.refundConfirmBody":`The buyer gets {total} back and the order is cancelled. This can't be undone.`,"admin.orders.refunded":`Order {id} was cancelled and refunded.`,"admin.orders.changed":`This order changed in the meantime; here is how it stands now.`,"admin.orderState.reserved":`Awaiting payment`,"admin.orderState.paid":`Paid`,"admin.orderState.fulfilled":`Shipped`,"admin.orderState.cancelled":`Cancelled`,"admin.orderState.expired":`Expired`,"admin.orderState.refunded":`Refunded`,"admin.payment.awaiting":`Not paid yet (the reservation ends {time})`,"admin.payment.paid":`Paid`,"admin.payment.refunded":`Refunded to the buyer`,"admin.payment.none":`Nothing was paid`,"admin.team.title":`Team`,"admin.team.roles":`Sellers manage products, stock, orders and the team; hosts run the shop's shows; moderators look after chat.`,"admin.team.name":`Name`,"admin.team.email":`Email`,"admin.team.role":`Role`,"admin.team.roleOf":`Role of {name}`,"admin.team.you":`you`,"admin.team.userId":`User id`,"admin.team.userIdHint":`The person's user id (usr_…): they find it on this page after logging in.`,"admin.team.yourId":`Your user id:`,"admin.team.addTitle":`Add someone to the team`,"admin.team.add":`Add to the team`,"admin.team.added":`{name} joined the team ({role}).`,"admin.team.roleChanged":`New role of {name}: {role}.`,"admin.team.removeNamed":`Remove {name}`,"admin.team.removeTitle":`Remove {name} from the team?`,"admin.team.removeBody":`They can no longer work on {shop}.`,"admin.team.removed":`{name} was removed from the team.`,"admin.team.noSuchUser":`No account has this user id. Check it and try again.`,"admin.team.lastSeller":`A shop always needs at least one seller. Make someone else a seller first, then try again.`,"admin.role.seller":`Seller`,"admin.role.host":`Host`,"admin.role.moderator":`Moderator`}},k=[u,n`
    :host { display: block; }
    h2 { font-size: 1.3rem; margin: 0; }
    h3 { font-size: 1.1rem; margin: 0 0 .5rem; }
    .toolbar { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between; margin: 0 0 .75rem; }
    .panel { background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); box-shadow: 0 1px 3px #0002; padding: 1rem; margin: 0 0 1rem; }
    .btn.small { min-height: 36px; padding: .25rem .8rem; font-size: .9rem; }
    .btn.danger { background: #b91c1c; }
    .btn.danger:hover { background: #7f1d1d; }
    .btn.secondary:hover { background: #f4f4f5; }
    .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
    .status:empty { display: none; }
    .status { background: #ecfdf5; color: #065f46; border-radius: .5rem; padding: .5rem .75rem; margin: 0 0 .75rem; }
    .alert { background: #fef2f2; color: #991b1b; border-radius: .5rem; padding: .5rem .75rem; margin: .5rem 0; overflow-wrap: anywhere; }
    .field-error { color: #991b1b; font-size: .9rem; margin: .2rem 0 0; overflow-wrap: anywhere; }
    .hint { color: var(--hk-muted, #52525b); font-size: .85rem; margin: .2rem 0 0; }
    label, .label { display: block; font-weight: 600; font-size: .95rem; }
    .field { margin: 0 0 .8rem; min-width: 0; }
    input:not([type="checkbox"]):not([type="radio"]):not([type="file"]), select, textarea {
      font-weight: 400; display: block; width: 100%; min-height: 44px; margin-top: .25rem; padding: .45rem .6rem;
      border: 1px solid #71717a; border-radius: .5rem; background: #fff; color: #18181b;
    }
    textarea { min-height: 5rem; resize: vertical; }
    input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"] { border: 2px solid #b91c1c; }
    fieldset { border: 1px solid #d4d4d8; border-radius: .5rem; padding: .5rem .75rem .75rem; margin: 0 0 .8rem; min-width: 0; }
    legend { font-weight: 600; padding: 0 .25rem; }
    .check { display: inline-flex; align-items: center; gap: .4rem; font-weight: 400; min-height: 44px; margin-right: 1rem; }
    .check input { width: 1.2rem; height: 1.2rem; }
    .grid2 { display: grid; gap: 0 1rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); }
    .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem; overflow-wrap: anywhere; }
    .badge { display: inline-block; font-size: .8rem; font-weight: 700; padding: .1rem .5rem; border-radius: 999px; background: #e4e4e7; color: #27272a; white-space: nowrap; }
    .badge.live, .badge.rehearsal { background: #b91c1c; color: #fff; }
    .badge.scheduled, .badge.reserved { background: #dbeafe; color: #1e3a8a; }
    .badge.paid { background: #dcfce7; color: #14532d; }
    .badge.fulfilled { background: #d1fae5; color: #064e3b; }
    .badge.cancelled, .badge.expired, .badge.ended { background: #e4e4e7; color: #3f3f46; }
    .badge.refunded { background: #fef3c7; color: #78350f; }
    .title-text { overflow-wrap: anywhere; }
    .more { margin: .75rem 0; }

    /* Lists are tables on wide screens and cards on phones. */
    table.list { width: 100%; border-collapse: collapse; background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); overflow: hidden; box-shadow: 0 1px 3px #0002; }
    table.list th, table.list td { text-align: left; padding: .55rem .7rem; border-bottom: 1px solid #e4e4e7; vertical-align: middle; }
    table.list th { font-size: .85rem; color: var(--hk-muted, #52525b); background: #fafafa; }
    table.list td.num, table.list th.num { text-align: right; font-variant-numeric: tabular-nums; }
    table.list img, .noimg { width: 48px; height: 48px; object-fit: cover; border-radius: .4rem; display: block; background: #e4e4e7; }
    @media (max-width: 40rem) {
      table.list, table.list tbody, table.list tr, table.list td { display: block; width: 100%; }
      table.list { background: transparent; box-shadow: none; overflow: visible; }
      table.list thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
      table.list tr { background: var(--hk-surface, #fff); border-radius: var(--hk-radius, .75rem); box-shadow: 0 1px 3px #0002; margin: 0 0 .75rem; padding: .4rem 0; }
      table.list td { border: 0; padding: .3rem .8rem; display: flex; gap: .75rem; justify-content: space-between; align-items: center; text-align: right; }
      table.list td.num { text-align: right; }
      table.list td::before { content: attr(data-label); font-weight: 600; color: var(--hk-muted, #52525b); text-align: left; flex: none; max-width: 45%; }
      table.list td.cell-actions { justify-content: flex-end; flex-wrap: wrap; }
      table.list td.cell-actions::before { content: none; }
      table.list td > * { min-width: 0; }
    }
  `];function A(e,t){return e[t]?`true`:`false`}var j=e=>`err-`+e.replace(/[^A-Za-z0-9_-]/g,`_`);function M(e,n,r){return[e[n]?j(n):``,r??``].filter(Boolean).join(` `)||t}function N(n,r){let i=n[r];return i?e`<p class="field-error" id=${j(r)} data-testid="field-error" data-field=${r}>${i}</p>`:t}function P(e,t){let n=t.target,r=n.dataset?.field??n.name??``;if(!r||!(r in e))return e;let i={...e};return delete i[r],i}function F(e){e.querySelector(`[aria-invalid="true"]`)?.focus()}function I(e){return!(e instanceof s)||e.status===0?f(`admin.err.network`):e.status===401?f(`admin.err.session`):e.status===403?f(`admin.err.forbidden`):e.status===404&&!e.field?f(`admin.err.notFound`):e.status===413?f(`admin.err.tooLarge`):e.status===415?f(`admin.err.imageType`):e.status===429?f(`admin.err.busy`):e.status>=500?f(`admin.err.server`):e.message||f(`admin.err.server`)}function L(e,t,n=e=>e){let r=e instanceof s&&e.field?n(e.field):``;return e instanceof s&&r&&t(r)?{fields:{[r]:e.message||I(e)},alert:f(`admin.err.checkFields`)}:{fields:{},alert:I(e)}}function we(e){return e.minor_units===0?f(`admin.price.wholeUnits`,{currency:e.currency}):f(`admin.price.decimals`,{currency:e.currency,n:e.minor_units})}var R=e=>l.markets.find(t=>t.code===e);function z(e,t){let n=`${e}.${t}`,r=f(n);return r&&r!==n?r:t}var Te=class extends p{static{this.styles=[u,n`
      dialog { border: 0; border-radius: 1rem; padding: 1.25rem; max-width: min(30rem, calc(100vw - 2rem)); box-shadow: 0 10px 40px #0005; color: #18181b; }
      dialog::backdrop { background: rgba(0, 0, 0, .45); }
      h2 { margin: 0 0 .5rem; font-size: 1.2rem; }
      p { margin: 0 0 1rem; overflow-wrap: anywhere; }
      form { display: flex; flex-wrap: wrap; gap: .5rem; justify-content: flex-end; }
      .btn.danger { background: #b91c1c; }
      .btn.danger:hover { background: #7f1d1d; }
    `]}static{this.properties={heading:{state:!0},body:{state:!0},confirmLabel:{state:!0}}}constructor(){super(),this.resolve=null,this.heading=``,this.body=``,this.confirmLabel=``}async ask(e,t,n){this.resolve?.(!1),this.heading=e,this.body=t,this.confirmLabel=n,await this.updateComplete;let r=this.renderRoot.querySelector(`dialog`);return r.returnValue=``,r.showModal(),new Promise(e=>this.resolve=e)}render(){return e`<dialog aria-labelledby="confirm-h" aria-describedby="confirm-b" data-testid="confirm" @close=${this.closed}>
      <h2 id="confirm-h">${this.heading}</h2>
      <p id="confirm-b">${this.body}</p>
      <form method="dialog">
        <button class="btn secondary" value="cancel" autofocus data-testid="confirm-cancel">${f(`admin.cancel`)}</button>
        <button class="btn danger" value="ok" data-testid="confirm-ok">${this.confirmLabel}</button>
      </form>
    </dialog>`}closed(e){let t=e.target.returnValue===`ok`;this.resolve?.(t),this.resolve=null}};customElements.define(`hk-confirm`,Te);var Ee=class extends p{static{this.styles=[u,n`
      :host { display: block; }
      .drop { display: inline-flex; align-items: center; gap: .5rem; min-height: 44px; padding: .4rem .9rem; border: 2px dashed #71717a; border-radius: .6rem; cursor: pointer; font-weight: 600; }
      .drop:focus-within { outline: 3px solid var(--hk-focus, #2563eb); outline-offset: 2px; }
      input[type="file"] { position: absolute; width: 1px; height: 1px; opacity: 0; }
      ul { list-style: none; padding: 0; margin: .5rem 0 0; display: grid; gap: .35rem; }
      li { font-size: .9rem; overflow-wrap: anywhere; }
      progress { width: 100%; height: .6rem; accent-color: var(--hk-accent, #c2410c); }
      .error { color: #991b1b; }
      .hint { color: var(--hk-muted, #52525b); font-size: .85rem; margin: .25rem 0 0; }
    `]}static{this.properties={shop:{},label:{},hint:{},multiple:{type:Boolean},uploads:{state:!0}}}constructor(){super(),this.shop=``,this.label=``,this.hint=``,this.multiple=!1,this.uploads=[]}render(){return e`<label class="drop">
        <span aria-hidden="true">+</span>${this.label}
        <input type="file" data-testid="image-input" accept=${x.join(`,`)} ?multiple=${this.multiple} aria-describedby="img-hint" @change=${this.picked} />
      </label>
      <p class="hint" id="img-hint">${this.hint||f(`admin.images.hint`)}</p>
      ${this.uploads.length?e`<ul aria-live="polite">
            ${this.uploads.map(t=>e`<li data-testid="upload">
                <span>${t.name}</span>
                ${t.error?e`<span class="error" role="alert"> — ${t.error}</span>`:t.progress<1?e`<progress max="1" .value=${t.progress} aria-label=${f(`admin.images.uploading`,{name:t.name})}></progress>`:e`<span> — ${f(`admin.images.done`)}</span>`}
              </li>`)}
          </ul>`:t}`}async picked(e){let t=e.target,n=[...t.files??[]];t.value=``,this.uploads=n.map(e=>({name:e.name,progress:0,error:``})),await Promise.all(n.map((e,t)=>this.upload(e,t)))}set(e,t){this.uploads=this.uploads.map((n,r)=>r===e?{...n,...t}:n)}async upload(e,t){if(!x.includes(e.type))return this.set(t,{error:f(`admin.err.imageType`)});if(e.size>5242880)return this.set(t,{error:f(`admin.err.tooLarge`)});try{let n=await de(this.shop,e,e=>this.set(t,{progress:Math.min(e,.99)}));this.set(t,{progress:1}),this.dispatchEvent(new CustomEvent(`uploaded`,{detail:n}))}catch(e){this.set(t,{error:I(e)})}}};customElements.define(`hk-image-picker`,Ee);var B=100,De=5,V=20,H=1e9,U=1e4,Oe=class extends p{static{this.styles=k}static{this.properties={shop:{attribute:!1},items:{state:!0},cursor:{state:!0},loading:{state:!0},error:{state:!0},editing:{state:!0},status:{state:!0}}}constructor(){super(),this.st=new d(this),this.shop=null,this.items=null,this.cursor=null,this.loading=!1,this.error=``,this.editing=null,this.status=``}willUpdate(e){e.has(`shop`)&&this.shop&&e.get(`shop`)?.id!==this.shop.id&&(this.editing=null,this.status=``,this.items=null,this.load(!1))}async load(e){if(!this.shop)return;let t=this.shop.id;this.loading=!0,this.error=``;try{let n=await y(t,e?this.cursor:null);if(t!==this.shop?.id)return;this.items=e?[...this.items??[],...n.items]:n.items,this.cursor=n.next_cursor}catch(e){this.error=I(e)}finally{this.loading=!1}}render(){return this.st,this.shop?this.editing?e`<hk-product-editor
        .shop=${this.shop}
        .product=${this.editing===`new`?null:this.editing}
        @saved=${this.saved}
        @closed=${()=>this.editing=null}
      ></hk-product-editor>`:e`<div class="toolbar">
        <h2 id="products-h">${f(`admin.products.title`)}</h2>
        <button class="btn" data-testid="product-new" @click=${()=>(this.editing=`new`,this.status=``)}>${f(`admin.products.new`)}</button>
      </div>
      <p class="status" role="status" data-testid="status">${this.status}</p>
      ${this.error?e`<p class="alert" role="alert">${this.error} <button class="btn secondary small" @click=${()=>void this.load(!1)}>${f(`admin.retry`)}</button></p>`:t}
      ${this.items===null?e`<p class="muted">${f(`admin.loading`)}</p>`:this.items.length===0?e`<p class="muted" data-testid="products-empty">${f(`admin.products.empty`)}</p>`:this.table(this.items)}
      ${this.cursor?e`<button class="btn secondary more" ?disabled=${this.loading} @click=${()=>void this.load(!0)}>${f(`admin.more`)}</button>`:t}
      <hk-confirm></hk-confirm>`:t}table(t){let n=R(this.shop.home_market);return e`<table class="list" aria-labelledby="products-h" data-testid="products">
      <thead>
        <tr>
          <th scope="col"><span class="sr-only">${f(`admin.products.image`)}</span></th>
          <th scope="col">${f(`admin.products.name`)}</th>
          <th scope="col" class="num">${f(`admin.products.variants`)}</th>
          <th scope="col" class="num">${f(`admin.products.price`,{market:n?.name??this.shop.home_market})}</th>
          <th scope="col" class="num">${f(`admin.stock.onHand`)}</th>
          <th scope="col"><span class="sr-only">${f(`admin.actions`)}</span></th>
        </tr>
      </thead>
      <tbody>
        ${t.map(t=>{let r=t.images[0];return e`<tr data-testid="product-row" data-id=${t.id}>
            <td data-label=${f(`admin.products.image`)}>
              ${r?e`<img src=${c(r)} alt="" width="48" height="48" loading="lazy" />`:e`<span class="noimg"></span>`}
            </td>
            <td data-label=${f(`admin.products.name`)}><strong class="title-text" data-testid="product-title">${t.title}</strong></td>
            <td data-label=${f(`admin.products.variants`)} class="num">${t.skus.length}</td>
            <td data-label=${f(`admin.products.price`,{market:n?.name??this.shop.home_market})} class="num">${ke(t,n)}</td>
            <td data-label=${f(`admin.stock.onHand`)} class="num">${t.skus.reduce((e,t)=>e+(t.on_hand??0),0)}</td>
            <td class="cell-actions">
              <span class="actions">
                <button class="btn secondary small" data-testid="product-edit" aria-label=${f(`admin.products.editNamed`,{title:t.title})} @click=${()=>void this.edit(t)}>
                  ${f(`admin.edit`)}
                </button>
                <button class="btn danger small" data-testid="product-delete" aria-label=${f(`admin.products.deleteNamed`,{title:t.title})} @click=${()=>void this.removeProduct(t)}>
                  ${f(`admin.delete`)}
                </button>
              </span>
            </td>
          </tr>`})}
      </tbody>
    </table>`}async edit(e){this.status=``;try{this.editing=await ae(e.id)}catch(e){this.error=I(e)}}saved(e){let{product:t,created:n}=e.detail;this.editing=null,this.status=f(n?`admin.products.created`:`admin.products.saved`,{title:t.title});let r=this.items??[];this.items=n?[t,...r]:r.map(e=>e.id===t.id?t:e)}async removeProduct(e){if(await this.renderRoot.querySelector(`hk-confirm`).ask(f(`admin.products.deleteTitle`,{title:e.title}),f(`admin.products.deleteBody`),f(`admin.delete`))){this.error=``;try{await ce(e.id),this.items=(this.items??[]).filter(t=>t.id!==e.id),this.status=f(`admin.products.deleted`,{title:e.title})}catch(e){this.error=I(e)}}}};customElements.define(`hk-admin-products`,Oe);function ke(e,t){if(!t)return``;let n=e.skus.map(e=>e.prices[t.code]).filter(e=>typeof e==`number`);if(!n.length)return`—`;let r=Math.min(...n),i=Math.max(...n),a=e=>ee(e,t,l.lang);return r===i?a(r):`${a(r)} – ${a(i)}`}var W=0;function Ae(e){let t=new Set,n=e.map(e=>({name:e.name.trim(),values:[...new Set(e.values.split(`,`).map(e=>e.trim()).filter(Boolean))]})).filter(e=>e.name&&e.values.length&&!t.has(e.name)&&t.add(e.name)),r=[{}];for(let e of n)r=r.flatMap(t=>e.values.map(n=>({...t,[e.name]:n})));return r}var G=(e,t)=>{let n=Object.keys(e);return n.length===Object.keys(t).length&&n.every(n=>e[n]===t[n])};function K(e,t){let n=e=>e.normalize(`NFD`).replace(/[\u0300-\u036f]/g,``).replace(/[^A-Za-z0-9]+/g,`-`).replace(/^-+|-+$/g,``).toUpperCase();return[n(e).slice(0,24).replace(/-+$/,``)||`SKU`,...Object.values(t).map(n).filter(Boolean)].join(`-`).slice(0,64)}var q=e=>Object.entries(e).map(([e,t])=>`${e}: ${t}`).join(`, `);function je(e,t){return e===`decimals`?t.minor_units===0?f(`admin.price.noDecimals`,{currency:t.currency}):f(`admin.price.tooManyDecimals`,{currency:t.currency,n:t.minor_units}):f(e===`range`?`admin.price.range`:`admin.price.invalid`)}var Me=e=>t=>{let n=/^skus\[(\d+)\]\.(code|options|on_hand|max_per_buyer|prices(\.[A-Z]{2})?)$/.exec(t);return n?Number(n[1])<e:[`title`,`description`,`images`,`skus`].includes(t)},Ne=e=>e.replace(/^images\[\d+\]$/,`images`).replace(/^(skus\[\d+\]\.options)\..*$/,`$1`),Pe=class extends p{static{this.styles=[k,n`
      form { max-width: 60rem; }
      .images { display: flex; flex-wrap: wrap; gap: .75rem; list-style: none; padding: 0; margin: .5rem 0; }
      .images li { display: grid; gap: .25rem; width: 8.5rem; }
      .images img { width: 8.5rem; height: 8.5rem; object-fit: cover; border-radius: .5rem; background: #e4e4e7; }
      .images .actions { gap: .25rem; }
      .images .btn.small { min-height: 36px; min-width: 36px; padding: .2rem .5rem; }
      .opt { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 2fr) auto; gap: .5rem; align-items: end; margin: 0 0 .5rem; }
      .opt .btn { margin-bottom: .1rem; justify-self: end; }
      .sku { background: #fafafa; }
      .sku legend { overflow-wrap: anywhere; }
      .stock { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
      .stock th, .stock td { padding: .35rem .5rem; text-align: right; border-bottom: 1px solid #e4e4e7; }
      .stock th:first-child, .stock td:first-child { text-align: left; }
      .stock input { max-width: 8rem; display: inline-block; margin: 0; }
      .stockset { display: flex; gap: .4rem; align-items: center; justify-content: flex-end; flex-wrap: wrap; }
      @media (max-width: 40rem) {
        .opt { grid-template-columns: 1fr; }
        .stock thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        .stock, .stock tbody, .stock tr, .stock td { display: block; width: 100%; }
        .stock tr { border-bottom: 1px solid #d4d4d8; padding: .4rem 0; }
        .stock td { display: flex; justify-content: space-between; border: 0; padding: .2rem 0; }
        .stock td::before { content: attr(data-label); font-weight: 600; color: var(--hk-muted, #52525b); }
      }
    `]}static{this.properties={shop:{attribute:!1},product:{attribute:!1},name:{state:!0},description:{state:!0},images:{state:!0},options:{state:!0},rows:{state:!0},errors:{state:!0},alert:{state:!0},busy:{state:!0},stocks:{state:!0},stockInput:{state:!0},stockMsg:{state:!0}}}constructor(){super(),this.st=new d(this),this.product=null,this.name=``,this.description=``,this.images=[],this.options=[],this.rows=[],this.errors={},this.alert=``,this.busy=!1,this.stocks={},this.stockInput={},this.stockMsg={}}get markets(){return this.shop.markets.map(R).filter(e=>!!e)}willUpdate(e){if(!e.has(`product`))return;let t=this.product;if(!t){this.rows=[{key:++W,options:{},code:``,autoCode:!0,prices:{},onHand:`0`,max:``}];return}this.name=t.title,this.description=t.description,this.images=[...t.images];let n=[],r={};for(let e of t.skus)for(let[t,i]of Object.entries(e.options)){n.includes(t)||n.push(t);let e=r[t]??=[];e.includes(i)||e.push(i)}this.options=n.map(e=>({name:e,values:r[e].join(`, `)})),this.rows=t.skus.map(e=>({key:++W,id:e.id,options:{...e.options},code:e.code,autoCode:!1,prices:Object.fromEntries(Object.entries(e.prices).map(([e,t])=>{let n=R(e);return[e,n?w(t,n.minor_units,l.locale):String(t)]})),onHand:String(e.on_hand??0),max:e.max_per_buyer?String(e.max_per_buyer):``})),this.loadStock()}firstUpdated(){this.renderRoot.querySelector(`#p-title`)?.focus()}async loadStock(){let e=this.rows.flatMap(e=>e.id?[e.id]:[]),t=await Promise.all(e.map(e=>le(e).catch(()=>null))),n={};for(let e of t)e&&(n[e.sku_id]=e);this.stocks=n,this.stockInput=Object.fromEntries(Object.values(n).map(e=>[e.sku_id,String(e.on_hand)]))}render(){this.st;let n=!!this.product,r=this.errors;return e`<div class="toolbar">
        <h2 id="editor-h">${f(n?`admin.products.editTitle`:`admin.products.new`)}</h2>
        <button class="btn secondary" data-testid="editor-close" @click=${this.close}>${f(`admin.backToList`)}</button>
      </div>
      <form novalidate @submit=${this.save} @input=${e=>this.errors=P(this.errors,e)} aria-labelledby="editor-h" data-testid="product-form">
        <div class="panel">
          <div class="field">
            <label for="p-title">${f(`admin.products.name`)}</label>
            <input id="p-title" data-testid="p-title" data-field="title" maxlength="200" required .value=${this.name}
              aria-invalid=${A(r,`title`)} aria-describedby=${M(r,`title`)}
              @input=${e=>this.setTitle(e.target.value)} />
            ${N(r,`title`)}
          </div>
          <div class="field">
            <label for="p-desc">${f(`admin.products.description`)}</label>
            <textarea id="p-desc" data-field="description" maxlength="10000" .value=${this.description}
              aria-invalid=${A(r,`description`)} aria-describedby=${M(r,`description`)}
              @input=${e=>this.description=e.target.value}></textarea>
            ${N(r,`description`)}
          </div>
        </div>

        <div class="panel">
          <h3 id="img-h">${f(`admin.images.title`)}</h3>
          ${this.images.length?e`<ul class="images" aria-labelledby="img-h" data-testid="images">
                ${this.images.map((e,t)=>this.image(e,t))}
              </ul>`:e`<p class="muted">${f(`admin.images.none`)}</p>`}
          ${this.images.length<V?e`<hk-image-picker multiple .shop=${this.shop.id} label=${f(`admin.images.add`)} @uploaded=${this.uploaded}></hk-image-picker>`:t}
          ${N(r,`images`)}
        </div>

        <div class="panel">
          <h3>${f(`admin.variants.title`)}</h3>
          <p class="hint">${f(`admin.variants.hint`)}</p>
          ${this.options.map((e,t)=>this.optionRow(e,t))}
          ${N(r,`options`)}
          ${this.options.length<De?e`<button type="button" class="btn secondary small" data-testid="option-add" @click=${this.addOption}>${f(`admin.variants.addOption`)}</button>`:t}
          <p class="hint" role="status" data-testid="variant-count">${f(`admin.variants.count`,{n:this.rows.length})}</p>
          ${N(r,`skus`)}
          ${this.rows.map((e,t)=>this.skuRow(e,t))}
        </div>

        ${this.alert?e`<p class="alert" role="alert" data-testid="form-alert">${this.alert}</p>`:t}
        <div class="actions">
          <button class="btn" data-testid="product-save" ?disabled=${this.busy}>${this.busy?f(`admin.saving`):f(`admin.save`)}</button>
          <button type="button" class="btn secondary" @click=${this.close}>${f(`admin.cancel`)}</button>
        </div>
      </form>
      ${n?this.stockPanel():t}`}image(t,n){let r=this.images.length,i=f(`admin.images.alt`,{n:n+1,title:this.name||f(`admin.products.untitled`)});return e`<li data-testid="image">
      <img src=${c(t)} alt=${i} width="136" height="136" />
      <span class="actions">
        <button type="button" class="btn secondary small" aria-label=${f(`admin.images.earlier`,{n:n+1})} ?disabled=${n===0} @click=${()=>this.moveImage(n,-1)}>←</button>
        <button type="button" class="btn secondary small" aria-label=${f(`admin.images.later`,{n:n+1})} ?disabled=${n===r-1} @click=${()=>this.moveImage(n,1)}>→</button>
        <button type="button" class="btn secondary small" aria-label=${f(`admin.images.remove`,{n:n+1})} @click=${()=>this.images=this.images.filter((e,t)=>t!==n)}>✕</button>
      </span>
    </li>`}moveImage(e,t){let n=[...this.images],[r]=n.splice(e,1);n.splice(e+t,0,r),this.images=n}uploaded(e){this.images.length<V&&(this.images=[...this.images,e.detail.id])}optionRow(t,n){let r=e=>this.options=this.options.map((t,r)=>r===n?{...t,...e}:t);return e`<div class="opt" data-testid="option">
      <label>
        ${f(`admin.variants.optionName`)}
        <input data-testid="option-name" maxlength="100" placeholder=${f(`admin.variants.optionNameExample`)} .value=${t.name}
          @input=${e=>r({name:e.target.value})} @change=${this.regenerate} />
      </label>
      <label>
        ${f(`admin.variants.optionValues`)}
        <input data-testid="option-values" placeholder=${f(`admin.variants.optionValuesExample`)} .value=${t.values}
          @input=${e=>r({values:e.target.value})} @change=${this.regenerate} />
      </label>
      <button type="button" class="btn secondary small" aria-label=${f(`admin.variants.removeOption`,{name:t.name||String(n+1)})}
        @click=${()=>{this.options=this.options.filter((e,t)=>t!==n),this.regenerate()}}>✕</button>
    </div>`}addOption(){this.options=[...this.options,{name:``,values:``}],this.updateComplete.then(()=>{let e=this.renderRoot.querySelectorAll(`[data-testid=option-name]`);e[e.length-1]?.focus()})}regenerate(){let e=Ae(this.options),t={...this.errors};if(delete t.options,e.length>B){this.errors={...t,options:f(`admin.variants.tooMany`,{n:B})};return}this.errors=t;let n=this.rows[0],r=e.map(e=>this.rows.find(t=>G(t.options,e))??{key:++W,options:e,code:K(this.name,e),autoCode:!0,prices:{...n?.prices??{}},onHand:n&&!n.id?n.onHand:`0`,max:n?.max??``});for(let e of this.rows)e.id&&!r.includes(e)&&r.push(e);this.rows=r.map(e=>e.autoCode&&!e.id?{...e,code:K(this.name,e.options)}:e)}setTitle(e){this.name=e,this.rows=this.rows.map(t=>t.autoCode&&!t.id?{...t,code:K(e,t.options)}:t)}skuRow(n,r){let i=`skus[${r}]`,a=this.errors,o=e=>this.rows=this.rows.map(t=>t.key===n.key?{...t,...e}:t),s=q(n.options)||f(`admin.variants.single`);return e`<fieldset class="sku" data-testid="sku" data-code=${n.code}>
      <legend data-testid="sku-name">${s}</legend>
      ${N(a,`${i}.options`)}
      <div class="grid2">
        <div class="field">
          <label>
            ${f(`admin.variants.code`)}
            <input data-testid="sku-code" data-field=${`${i}.code`} maxlength="64" autocapitalize="characters" spellcheck="false" .value=${n.code}
              aria-invalid=${A(a,`${i}.code`)} aria-describedby=${M(a,`${i}.code`)}
              @input=${e=>o({code:e.target.value,autoCode:!1})} />
          </label>
          ${N(a,`${i}.code`)}
        </div>
        ${this.markets.map(t=>{let r=`${i}.prices.${t.code}`,s=`hint-${n.key}-${t.code}`;return e`<div class="field">
            <label>
              ${f(`admin.price.label`,{market:t.name,currency:t.currency})}
              <input data-testid="sku-price" data-market=${t.code} data-field=${r} inputmode=${t.minor_units?`decimal`:`numeric`} autocomplete="off"
                placeholder=${w(t.minor_units?1999:25e4,t.minor_units,l.locale)} .value=${n.prices[t.code]??``}
                aria-invalid=${A(a,r)} aria-describedby=${M(a,r,s)}
                @input=${e=>o({prices:{...n.prices,[t.code]:e.target.value}})} />
            </label>
            <p class="hint" id=${s}>${we(t)}</p>
            ${N(a,r)}
          </div>`})}
        ${n.id?t:e`<div class="field">
              <label>
                ${f(`admin.stock.onHand`)}
                <input data-testid="sku-onhand" data-field=${`${i}.on_hand`} inputmode="numeric" .value=${n.onHand}
                  aria-invalid=${A(a,`${i}.on_hand`)} aria-describedby=${M(a,`${i}.on_hand`)}
                  @input=${e=>o({onHand:e.target.value})} />
              </label>
              ${N(a,`${i}.on_hand`)}
            </div>`}
        <div class="field">
          <label>
            ${f(`admin.variants.maxPerBuyer`)}
            <input data-testid="sku-max" data-field=${`${i}.max_per_buyer`} inputmode="numeric" placeholder=${f(`admin.variants.noLimit`)} .value=${n.max}
              aria-invalid=${A(a,`${i}.max_per_buyer`)} aria-describedby=${M(a,`${i}.max_per_buyer`)}
              @input=${e=>o({max:e.target.value})} />
          </label>
          ${N(a,`${i}.max_per_buyer`)}
        </div>
      </div>
      ${N(a,`${i}.prices`)}
    </fieldset>`}stockPanel(){let n=this.rows.filter(e=>e.id);return e`<section class="panel" aria-labelledby="stock-h" data-testid="stock-panel">
      <h3 id="stock-h">${f(`admin.stock.title`)}</h3>
      <p class="hint">${f(`admin.stock.hint`)}</p>
      <table class="stock">
        <thead>
          <tr>
            <th scope="col">${f(`admin.products.variant`)}</th>
            <th scope="col">${f(`admin.stock.onHand`)}</th>
            <th scope="col">${f(`admin.stock.reserved`)}</th>
            <th scope="col">${f(`admin.stock.sold`)}</th>
            <th scope="col">${f(`admin.stock.available`)}</th>
            <th scope="col">${f(`admin.stock.set`)}</th>
          </tr>
        </thead>
        <tbody>
          ${n.map(n=>{let r=n.id,i=this.stocks[r],a=this.stockMsg[r],o=q(n.options)||n.code;return e`<tr data-testid="stock-row" data-code=${n.code}>
              <td data-label=${f(`admin.products.variant`)}><span class="title-text">${o}</span> <span class="muted mono">${n.code}</span></td>
              <td data-label=${f(`admin.stock.onHand`)} data-testid="stock-onhand">${i?.on_hand??`…`}</td>
              <td data-label=${f(`admin.stock.reserved`)} data-testid="stock-reserved">${i?.reserved??`…`}</td>
              <td data-label=${f(`admin.stock.sold`)} data-testid="stock-sold">${i?.sold??`…`}</td>
              <td data-label=${f(`admin.stock.available`)} data-testid="stock-available">${i?.available??`…`}</td>
              <td data-label=${f(`admin.stock.set`)}>
                <form class="stockset" novalidate @submit=${e=>void this.setStock(e,r)}>
                  <input data-testid="stock-input" inputmode="numeric" aria-label=${f(`admin.stock.setFor`,{name:o})} .value=${this.stockInput[r]??``}
                    aria-invalid=${a&&!a.ok?`true`:`false`} aria-describedby=${a?`stock-msg-${n.key}`:t}
                    @input=${e=>this.stockInput={...this.stockInput,[r]:e.target.value}} />
                  <button class="btn secondary small" data-testid="stock-save">${f(`admin.save`)}</button>
                  ${a?e`<span id="stock-msg-${n.key}" class=${a.ok?`muted`:`field-error`} role=${a.ok?`status`:`alert`}>${a.text}</span>`:t}
                </form>
              </td>
            </tr>`})}
        </tbody>
      </table>
    </section>`}async setStock(e,t){e.preventDefault();let n=T(this.stockInput[t]??``,0,H);if(n===null)this.stockMsg={...this.stockMsg,[t]:{ok:!1,text:f(`admin.err.count`,{min:0,max:H})}};else try{let e=await ue(t,n);this.stocks={...this.stocks,[t]:e},this.stockMsg={...this.stockMsg,[t]:{ok:!0,text:f(`admin.stock.saved`)}}}catch(e){let n=this.stocks[t],r=e instanceof s&&e.code===`invalid_state`&&n?f(`admin.stock.belowCommitted`,{n:n.reserved+n.sold}):I(e);this.stockMsg={...this.stockMsg,[t]:{ok:!1,text:r}}}}build(){let e={};this.name.trim()||(e.title=f(`admin.err.required`));let t=this.markets,n=this.rows.map((n,r)=>{let i=`skus[${r}]`,a={},o=!1;for(let r of t){let t=Ce(n.prices[r.code]??``,r.minor_units);t.ok?a[r.code]=t.value:t.why!==`empty`&&(e[`${i}.prices.${r.code}`]=je(t.why,r),o=!0)}!o&&!Object.keys(a).length&&(e[`${i}.prices`]=f(`admin.price.needOne`));let s=null;n.max.trim()&&(s=T(n.max,1,U),s===null&&(e[`${i}.max_per_buyer`]=f(`admin.err.count`,{min:1,max:U})));let c={code:n.code.trim(),options:n.options,prices:a,max_per_buyer:s};if(n.id)c.id=n.id;else{let t=T(n.onHand.trim()||`0`,0,H);t===null?e[`${i}.on_hand`]=f(`admin.err.count`,{min:0,max:H}):c.on_hand=t}return c});return this.errors=e,Object.keys(e).length?(this.alert=f(`admin.err.checkFields`),null):{title:this.name.trim(),description:this.description,images:this.images,skus:n}}async save(e){if(e.preventDefault(),this.busy)return;this.alert=``;let t=this.build();if(!t)await this.updateComplete,F(this.renderRoot);else{this.busy=!0;try{let e=!this.product,n=this.product?await se(this.product.id,t):await oe(this.shop.id,t);this.dispatchEvent(new CustomEvent(`saved`,{detail:{product:n,created:e}}))}catch(e){let t=L(e,Me(this.rows.length),Ne);this.errors=t.fields,this.alert=t.alert,await this.updateComplete,F(this.renderRoot)}finally{this.busy=!1}}}close(){this.dispatchEvent(new CustomEvent(`closed`))}};customElements.define(`hk-product-editor`,Pe);var Fe=e=>e?o(e,l.lang):`—`,Ie=()=>Intl.DateTimeFormat().resolvedOptions().timeZone||`UTC`,Le=class extends p{static{this.styles=k}static{this.properties={shop:{attribute:!1},items:{state:!0},cursor:{state:!0},loading:{state:!0},error:{state:!0},editing:{state:!0},status:{state:!0}}}constructor(){super(),this.st=new d(this),this.shop=null,this.items=null,this.cursor=null,this.loading=!1,this.error=``,this.editing=null,this.status=``}willUpdate(e){e.has(`shop`)&&this.shop&&e.get(`shop`)?.id!==this.shop.id&&(this.editing=null,this.items=null,this.status=``,this.load(!1))}async load(e){if(!this.shop)return;let t=this.shop.id;this.loading=!0,this.error=``;try{let n=await S(t,e?this.cursor:null);if(t!==this.shop?.id)return;this.items=e?[...this.items??[],...n.items]:n.items,this.cursor=n.next_cursor}catch(e){this.error=I(e)}finally{this.loading=!1}}render(){if(this.st,!this.shop)return t;if(this.editing)return e`<hk-show-editor
        .shop=${this.shop}
        .show=${this.editing===`new`?null:this.editing}
        @saved=${this.saved}
        @closed=${()=>{this.editing=null,this.load(!1)}}
      ></hk-show-editor>`;let n=this.items??[],r=[[`live`,n.filter(e=>e.state===`live`||e.state===`rehearsal`)],[`scheduled`,n.filter(e=>e.state===`scheduled`)],[`ended`,n.filter(e=>e.state===`ended`)]];return e`<div class="toolbar">
        <h2>${f(`admin.shows.title`)}</h2>
        <button class="btn" data-testid="show-new" @click=${()=>(this.editing=`new`,this.status=``)}>${f(`admin.shows.new`)}</button>
      </div>
      <p class="status" role="status" data-testid="status">${this.status}</p>
      ${this.error?e`<p class="alert" role="alert">${this.error}</p>`:t}
      ${this.items===null?e`<p class="muted">${f(`admin.loading`)}</p>`:n.length===0?e`<p class="muted" data-testid="shows-empty">${f(`admin.shows.empty`)}</p>`:r.map(([n,r])=>r.length?e`<section aria-labelledby="g-${n}" data-testid="show-group" data-group=${n}>
                    <h3 id="g-${n}">${f(n===`live`?`admin.shows.groupLive`:n===`scheduled`?`admin.shows.groupScheduled`:`admin.shows.groupEnded`)}</h3>
                    ${this.table(r,n)}
                  </section>`:t)}
      ${this.cursor?e`<button class="btn secondary more" ?disabled=${this.loading} @click=${()=>void this.load(!0)}>${f(`admin.more`)}</button>`:t}`}table(n,r){return e`<table class="list" aria-labelledby="g-${r}">
      <thead>
        <tr>
          <th scope="col">${f(`admin.shows.name`)}</th>
          <th scope="col">${f(`admin.shows.state`)}</th>
          <th scope="col">${f(`admin.shows.when`)}</th>
          <th scope="col">${f(`admin.shows.markets`)}</th>
          <th scope="col"><span class="sr-only">${f(`admin.actions`)}</span></th>
        </tr>
      </thead>
      <tbody>
        ${n.map(n=>e`<tr data-testid="show-row" data-id=${n.id}>
            <td data-label=${f(`admin.shows.name`)}><strong class="title-text" data-testid="show-title">${n.title}</strong></td>
            <td data-label=${f(`admin.shows.state`)}><span class="badge ${n.state}">${z(`admin.showState`,n.state)}</span></td>
            <td data-label=${f(`admin.shows.when`)}>${Fe(n.state===`ended`?n.ended_at:n.state===`scheduled`?n.scheduled_at:n.started_at)}</td>
            <td data-label=${f(`admin.shows.markets`)}>${n.markets.join(`, `)}</td>
            <td class="cell-actions">
              <span class="actions">
                <button class="btn secondary small" data-testid="show-manage" aria-label=${f(`admin.shows.manageNamed`,{title:n.title})} @click=${()=>this.editing=n}>
                  ${f(`admin.shows.manage`)}
                </button>
                ${n.state===`ended`?t:e`<a class="btn secondary small" href="/studio/${n.id}">${f(`admin.shows.studio`)}</a>`}
              </span>
            </td>
          </tr>`)}
      </tbody>
    </table>`}saved(e){let{show:t,created:n}=e.detail;this.status=f(n?`admin.shows.created`:`admin.shows.saved`,{title:t.title});let r=this.items??[];this.items=n?[t,...r]:r.map(e=>e.id===t.id?t:e),this.editing=t}};customElements.define(`hk-admin-shows`,Le);function Re(e,t){let n={};return t.title!==e.title&&(n.title=t.title),t.description!==e.description&&(n.description=t.description),[...t.markets].sort().join()!==[...e.markets].sort().join()&&(n.markets=t.markets),t.scheduled_at&&t.scheduled_at!==ze(e.scheduled_at)&&(n.scheduled_at=t.scheduled_at),t.cover_image_id!==e.cover_image_id&&(n.cover_image_id=t.cover_image_id),n}var ze=e=>E(D(e)),Be=e=>[`title`,`description`,`markets`,`scheduled_at`,`cover_image_id`].includes(e),Ve=class extends p{static{this.styles=[k,n`
      .cover { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; margin: .25rem 0 .75rem; }
      .cover img { width: 12rem; max-width: 100%; aspect-ratio: 16 / 9; object-fit: cover; border-radius: .5rem; background: #e4e4e7; }
      ol.bag, ul.pick { list-style: none; padding: 0; margin: .5rem 0; display: grid; gap: .4rem; }
      ol.bag li, ul.pick li { display: flex; gap: .6rem; align-items: center; background: #fafafa; border-radius: .5rem; padding: .35rem .5rem; }
      ol.bag img, ul.pick img, .thumb { width: 40px; height: 40px; border-radius: .35rem; object-fit: cover; background: #e4e4e7; flex: none; }
      .grow { flex: 1; min-width: 0; overflow-wrap: anywhere; }
      .pos { font-variant-numeric: tabular-nums; font-weight: 700; width: 1.5rem; text-align: right; flex: none; }
      .key { display: flex; gap: .5rem; align-items: flex-end; flex-wrap: wrap; }
      .key .field { flex: 1; min-width: 14rem; margin: 0; }
      .warn { background: #fffbeb; color: #78350f; border-radius: .5rem; padding: .5rem .75rem; }
      .links { display: flex; gap: .5rem; flex-wrap: wrap; }
      .cols { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); }
    `]}static{this.properties={shop:{attribute:!1},show:{attribute:!1},name:{state:!0},description:{state:!0},markets:{state:!0},startsAt:{state:!0},cover:{state:!0},errors:{state:!0},alert:{state:!0},busy:{state:!0},status:{state:!0},bag:{state:!0},products:{state:!0},bagMsg:{state:!0},bagBusy:{state:!0},key:{state:!0},keyMsg:{state:!0},copied:{state:!0},team:{state:!0},teamErrors:{state:!0},teamMsg:{state:!0}}}constructor(){super(),this.st=new d(this),this.show=null,this.name=``,this.description=``,this.markets=[],this.startsAt=``,this.cover=null,this.errors={},this.alert=``,this.busy=!1,this.status=``,this.bag=null,this.products=null,this.bagMsg=null,this.bagBusy=!1,this.key=null,this.keyMsg=null,this.copied=``,this.team=null,this.teamErrors={},this.teamMsg=null}willUpdate(e){if(!e.has(`show`))return;let t=this.show,n=e.get(`show`);t?(this.name=t.title,this.description=t.description,this.markets=[...t.markets],this.startsAt=D(t.scheduled_at),this.cover=t.cover_image_id?{id:t.cover_image_id,url:t.cover_image_url??c(t.cover_image_id)}:null,n?.id!==t.id&&(this.key=null,this.loadBag(),this.loadTeam())):this.markets=[...this.shop.markets]}firstUpdated(){this.renderRoot.querySelector(this.show?`#s-h`:`#s-title`)?.focus()}async loadBag(){let e=this.show;try{let[t,n]=await Promise.all([me(e.id),b(this.shop.id)]);this.bag=t,this.products=n}catch(e){this.bagMsg={ok:!1,text:I(e)}}}async loadTeam(){try{this.team=await _e(this.show.id)}catch(e){this.teamMsg={ok:!1,text:I(e)}}}render(){this.st;let n=this.show;return e`<div class="toolbar">
        <h2 id="s-h" tabindex="-1">${n?n.title:f(`admin.shows.new`)}</h2>
        <button class="btn secondary" data-testid="editor-close" @click=${()=>this.dispatchEvent(new CustomEvent(`closed`))}>${f(`admin.backToList`)}</button>
      </div>
      ${n?e`<p class="links">
            <span class="badge ${n.state}" data-testid="show-state">${z(`admin.showState`,n.state)}</span>
            ${n.state===`ended`?t:e`<a href="/studio/${n.id}" data-testid="studio-link">${f(`admin.shows.openStudio`)}</a>`}
            <a href="/shows/${n.id}">${f(`admin.shows.openViewer`)}</a>
          </p>`:t}
      <p class="status" role="status" data-testid="show-status">${this.status}</p>
      ${this.details()}
      ${n?e`<div class="cols">${this.bagPanel()} ${this.keyPanel()}</div>
            ${this.teamPanel()}`:t}
      <hk-confirm></hk-confirm>`}details(){let n=this.errors,r=this.show,i=r?.state===`ended`,a=E(this.startsAt),o=this.shop.markets.map(R).filter(e=>!!e);return e`<form class="panel" novalidate @submit=${this.save} @input=${e=>this.errors=P(this.errors,e)} data-testid="show-form" aria-labelledby="details-h">
      <h3 id="details-h">${f(`admin.shows.details`)}</h3>
      ${i?e`<p class="hint">${f(`admin.shows.endedReadOnly`)}</p>`:t}
      <fieldset ?disabled=${i} style="border:0;padding:0;margin:0">
        <div class="field">
          <label for="s-title">${f(`admin.shows.name`)}</label>
          <input id="s-title" data-testid="s-title" data-field="title" maxlength="200" .value=${this.name}
            aria-invalid=${A(n,`title`)} aria-describedby=${M(n,`title`)}
            @input=${e=>this.name=e.target.value} />
          ${N(n,`title`)}
        </div>
        <div class="field">
          <label for="s-desc">${f(`admin.products.description`)}</label>
          <textarea id="s-desc" data-field="description" maxlength="10000" .value=${this.description}
            aria-invalid=${A(n,`description`)} aria-describedby=${M(n,`description`)}
            @input=${e=>this.description=e.target.value}></textarea>
          ${N(n,`description`)}
        </div>
        <fieldset aria-describedby=${M(n,`markets`,`markets-hint`)}>
          <legend>${f(`admin.shows.markets`)}</legend>
          ${o.map(t=>e`<label class="check">
              <input type="checkbox" data-testid="s-market" value=${t.code} .checked=${this.markets.includes(t.code)}
                @change=${e=>{let n=e.target.checked;this.markets=n?[...this.markets,t.code]:this.markets.filter(e=>e!==t.code)}} />
              ${t.name} (${t.currency})
            </label>`)}
          <p class="hint" id="markets-hint">${f(`admin.shows.marketsHint`)}</p>
          ${N(n,`markets`)}
        </fieldset>
        <div class="field">
          <label for="s-when">${f(`admin.shows.startsAt`,{zone:Ie()})}</label>
          <input id="s-when" data-testid="s-when" data-field="scheduled_at" type="datetime-local" .value=${this.startsAt}
            aria-invalid=${A(n,`scheduled_at`)} aria-describedby=${M(n,`scheduled_at`,`when-hint`)}
            @input=${e=>this.startsAt=e.target.value} />
          <p class="hint" id="when-hint" data-testid="s-when-utc">
            ${a?f(`admin.shows.inUTC`,{time:a.replace(`T`,` `).replace(/:00Z$/,` UTC`)}):f(`admin.shows.whenHint`)}
          </p>
          ${N(n,`scheduled_at`)}
        </div>
        <div class="field">
          <span class="label" id="cover-l">${f(`admin.shows.cover`)}</span>
          <div class="cover">
            ${this.cover?e`<img src=${this.cover.url} alt=${f(`admin.shows.coverAlt`,{title:this.name})} data-testid="cover-preview" />
                  <button type="button" class="btn secondary small" data-testid="cover-remove" @click=${()=>this.cover=null}>${f(`admin.shows.coverRemove`)}</button>`:e`<span class="muted">${f(`admin.shows.noCover`)}</span>`}
          </div>
          <hk-image-picker .shop=${this.shop.id} hint=${f(`admin.shows.coverHint`)} label=${this.cover?f(`admin.shows.coverChange`):f(`admin.shows.coverAdd`)}
            @uploaded=${e=>this.cover={id:e.detail.id,url:e.detail.url}}></hk-image-picker>
          ${N(n,`cover_image_id`)}
        </div>
        ${this.alert?e`<p class="alert" role="alert" data-testid="form-alert">${this.alert}</p>`:t}
        <div class="actions">
          <button class="btn" data-testid="show-save" ?disabled=${this.busy}>${this.busy?f(`admin.saving`):f(r?`admin.save`:`admin.shows.create`)}</button>
        </div>
      </fieldset>
    </form>`}async save(e){if(e.preventDefault(),this.busy)return;let t={};this.name.trim()||(t.title=f(`admin.err.required`));let n=E(this.startsAt);if(this.startsAt&&!n&&(t.scheduled_at=f(`admin.shows.badTime`)),this.errors=t,this.alert=``,Object.keys(t).length){this.alert=f(`admin.err.checkFields`),await this.updateComplete,F(this.renderRoot);return}let r={title:this.name.trim(),description:this.description,markets:this.markets,scheduled_at:n,cover_image_id:this.cover?.id??null};this.busy=!0;try{let e=!this.show,t=this.show?await pe(this.show.id,Re(this.show,r)):await fe(this.shop.id,r);this.status=f(e?`admin.shows.created`:`admin.shows.saved`,{title:t.title}),this.dispatchEvent(new CustomEvent(`saved`,{detail:{show:t,created:e}}))}catch(e){let t=L(e,Be);this.errors=t.fields,this.alert=t.alert,await this.updateComplete,F(this.renderRoot)}finally{this.busy=!1}}bagPanel(){let n=this.bag,r=this.show?.state===`ended`,i=(this.products??[]).filter(e=>!n?.some(t=>t.id===e.id));return e`<section class="panel" aria-labelledby="bag-h" data-testid="bag-panel">
      <h3 id="bag-h">${f(`admin.bag.title`)}</h3>
      <p class="hint">${f(`admin.bag.hint`)}</p>
      ${n===null?e`<p class="muted">${f(`admin.loading`)}</p>`:n.length===0?e`<p class="muted" data-testid="bag-empty">${f(`admin.bag.empty`)}</p>`:e`<ol class="bag" data-testid="bag-list" aria-label=${f(`admin.bag.title`)}>
              ${n.map((t,i)=>e`<li data-testid="bag-item" data-id=${t.id}>
                  <span class="pos" aria-hidden="true">${i+1}</span>
                  ${t.images[0]?e`<img src=${c(t.images[0])} alt="" />`:e`<span class="thumb"></span>`}
                  <span class="grow" data-testid="bag-title">${t.title}</span>
                  <button class="btn secondary small" data-testid="bag-up" aria-label=${f(`admin.bag.up`,{title:t.title})} ?disabled=${i===0||r} @click=${()=>this.move(i,-1)}>↑</button>
                  <button class="btn secondary small" data-testid="bag-down" aria-label=${f(`admin.bag.down`,{title:t.title})} ?disabled=${i===n.length-1||r} @click=${()=>this.move(i,1)}>↓</button>
                  <button class="btn secondary small" data-testid="bag-remove" aria-label=${f(`admin.bag.remove`,{title:t.title})} ?disabled=${r} @click=${()=>this.bag=n.filter(e=>e.id!==t.id)}>✕</button>
                </li>`)}
            </ol>`}
      ${i.length&&!r?e`<h4>${f(`admin.bag.add`)}</h4>
            <ul class="pick" data-testid="bag-pick">
              ${i.map(t=>e`<li>
                  ${t.images[0]?e`<img src=${c(t.images[0])} alt="" />`:e`<span class="thumb"></span>`}
                  <span class="grow">${t.title}</span>
                  <button class="btn secondary small" data-testid="bag-add" data-id=${t.id} aria-label=${f(`admin.bag.addNamed`,{title:t.title})}
                    @click=${()=>this.bag=[...n??[],t]}>${f(`admin.add`)}</button>
                </li>`)}
            </ul>`:t}
      ${this.bagMsg?e`<p class=${this.bagMsg.ok?`status`:`alert`} role=${this.bagMsg.ok?`status`:`alert`} data-testid="bag-msg">${this.bagMsg.text}</p>`:t}
      ${r?t:e`<button class="btn" data-testid="bag-save" ?disabled=${this.bagBusy||n===null} @click=${this.saveBag}>${this.bagBusy?f(`admin.saving`):f(`admin.bag.save`)}</button>`}
    </section>`}move(e,t){let n=[...this.bag??[]],[r]=n.splice(e,1);n.splice(e+t,0,r),this.bag=n,this.updateComplete.then(()=>{this.renderRoot.querySelectorAll(`[data-testid=bag-item]`)[e+t]?.querySelector(`[data-testid=${t<0?`bag-up`:`bag-down`}]:not([disabled])`)?.focus()})}async saveBag(){if(!this.show||!this.bag)return;let e=this.bag.map(e=>e.id);this.bagBusy=!0,this.bagMsg=null;try{this.bag=await he(this.show.id,e),this.bagMsg={ok:!0,text:f(`admin.bag.saved`)}}catch(e){let t=e instanceof s&&e.field?/^product_ids\[(\d+)\]$/.exec(e.field):null,n=t?this.bag[Number(t[1])]:void 0;this.bagMsg={ok:!1,text:n&&e instanceof s&&e.status===422?f(`admin.bag.notSellable`,{title:n.title,reason:e.message}):I(e)}}finally{this.bagBusy=!1}}keyPanel(){let n=this.show,r=this.key;return e`<section class="panel" aria-labelledby="key-h" data-testid="key-panel">
      <h3 id="key-h">${f(`admin.key.title`)}</h3>
      <p class="hint">${f(`admin.key.hint`)}</p>
      ${r?e`<p class="warn" role="status">${f(`admin.key.once`)}</p>
            <div class="key">
              <div class="field">
                <label for="k-url">${f(`admin.key.server`)}</label>
                <input id="k-url" class="mono" readonly .value=${r.whip_url} data-testid="key-url" @focus=${e=>e.target.select()} />
              </div>
              <button class="btn secondary small" @click=${()=>void this.copy(r.whip_url,`url`)}>${this.copied===`url`?f(`admin.key.copied`):f(`admin.key.copyUrl`)}</button>
            </div>
            <div class="key">
              <div class="field">
                <label for="k-key">${f(`admin.key.key`)}</label>
                <input id="k-key" class="mono" readonly .value=${r.stream_key} data-testid="key-value" @focus=${e=>e.target.select()} />
              </div>
              <button class="btn secondary small" data-testid="key-copy" @click=${()=>void this.copy(r.stream_key,`key`)}>${this.copied===`key`?f(`admin.key.copied`):f(`admin.key.copy`)}</button>
            </div>`:t}
      ${this.keyMsg?e`<p class=${this.keyMsg.ok?`status`:`alert`} role=${this.keyMsg.ok?`status`:`alert`} data-testid="key-msg">${this.keyMsg.text}</p>`:t}
      ${n.state===`ended`?e`<p class="muted">${f(`admin.key.ended`)}</p>`:e`<p class="warn">${f(`admin.key.warn`)}</p>
            <button class="btn" data-testid="key-rotate" @click=${this.rotate}>${f(r?`admin.key.rotateAgain`:`admin.key.rotate`)}</button>`}
    </section>`}async rotate(){if(await this.renderRoot.querySelector(`hk-confirm`).ask(f(`admin.key.confirmTitle`),f(`admin.key.confirmBody`),f(`admin.key.confirmOk`))){this.keyMsg=null,this.copied=``;try{this.key=await ge(this.show.id),await this.updateComplete,this.renderRoot.querySelector(`#k-key`)?.focus()}catch(e){this.keyMsg={ok:!1,text:e instanceof s&&e.code===`invalid_state`?f(`admin.key.ended`):I(e)}}}}async copy(e,t){try{await navigator.clipboard.writeText(e),this.copied=t,this.keyMsg={ok:!0,text:f(`admin.key.copiedLong`)}}catch{let e=this.renderRoot.querySelector(t===`key`?`#k-key`:`#k-url`);e?.focus(),e?.select(),this.keyMsg={ok:!1,text:f(`admin.key.copyFailed`)}}}teamPanel(){let n=this.show,r=this.teamErrors,i=n.state===`ended`;return e`<section class="panel" aria-labelledby="team-h" data-testid="show-team">
      <h3 id="team-h">${f(`admin.showTeam.title`)}</h3>
      <p class="hint">${f(`admin.showTeam.hint`)}</p>
      ${this.team===null?e`<p class="muted">${f(`admin.loading`)}</p>`:this.team.length===0?e`<p class="muted">${f(`admin.showTeam.empty`)}</p>`:e`<table class="list">
              <thead>
                <tr>
                  <th scope="col">${f(`admin.team.name`)}</th>
                  <th scope="col">${f(`admin.team.userId`)}</th>
                  <th scope="col">${f(`admin.team.role`)}</th>
                  <th scope="col"><span class="sr-only">${f(`admin.actions`)}</span></th>
                </tr>
              </thead>
              <tbody>
                ${this.team.map(t=>e`<tr data-testid="show-team-row" data-user=${t.user_id}>
                    <td data-label=${f(`admin.team.name`)}><span class="title-text">${t.name}</span></td>
                    <td data-label=${f(`admin.team.userId`)}><span class="mono">${t.user_id}</span></td>
                    <td data-label=${f(`admin.team.role`)}>${z(`admin.showRole`,t.role)}</td>
                    <td class="cell-actions">
                      <button class="btn secondary small" aria-label=${f(`admin.team.removeNamed`,{name:t.name})} @click=${()=>void this.removeTeam(t)}>${f(`admin.remove`)}</button>
                    </td>
                  </tr>`)}
              </tbody>
            </table>`}
      ${this.teamMsg?e`<p class=${this.teamMsg.ok?`status`:`alert`} role=${this.teamMsg.ok?`status`:`alert`} data-testid="show-team-msg">${this.teamMsg.text}</p>`:t}
      ${i?t:e`<form novalidate @submit=${this.addTeam} @input=${e=>this.teamErrors=P(this.teamErrors,e)} class="grid2" data-testid="show-team-form">
            <div class="field">
              <label>
                ${f(`admin.team.userId`)}
                <input name="user" data-testid="show-team-user" spellcheck="false" autocomplete="off" placeholder="usr_…"
                  aria-invalid=${A(r,`user`)} aria-describedby=${M(r,`user`,`team-user-hint`)} />
              </label>
              <p class="hint" id="team-user-hint">${f(`admin.team.userIdHint`)}</p>
              ${N(r,`user`)}
            </div>
            <div class="field">
              <label>
                ${f(`admin.team.role`)}
                <select name="role" data-testid="show-team-role">
                  <option value="cohost">${f(`admin.showRole.cohost`)}</option>
                  <option value="moderator">${f(`admin.showRole.moderator`)}</option>
                </select>
              </label>
            </div>
            <div class="actions"><button class="btn" data-testid="show-team-add">${f(`admin.team.add`)}</button></div>
          </form>`}
    </section>`}async addTeam(e){e.preventDefault();let t=e.target,n=new FormData(t),r=String(n.get(`user`)??``).trim(),i=String(n.get(`role`)??`cohost`);if(this.teamMsg=null,!r)this.teamErrors={user:f(`admin.err.required`)},await this.updateComplete,F(t);else try{let e=await ve(this.show.id,r,i);this.teamErrors={},this.team=[...(this.team??[]).filter(t=>t.user_id!==e.user_id),e],this.teamMsg={ok:!0,text:f(`admin.showTeam.added`,{name:e.name,role:z(`admin.showRole`,e.role)})},t.reset()}catch(e){e instanceof s&&e.status===404&&(e.field===`user`||e.field===`user_id`)?this.teamErrors={user:f(`admin.team.noSuchUser`)}:e instanceof s&&e.field===`user_id`?this.teamErrors={user:e.message}:(this.teamErrors={},this.teamMsg={ok:!1,text:e instanceof s&&e.code===`invalid_state`?f(`admin.key.ended`):I(e)}),await this.updateComplete,F(t)}}async removeTeam(e){if(await this.renderRoot.querySelector(`hk-confirm`).ask(f(`admin.showTeam.removeTitle`,{name:e.name}),f(`admin.showTeam.removeBody`),f(`admin.remove`)))try{await ye(this.show.id,e.user_id),this.team=(this.team??[]).filter(t=>t.user_id!==e.user_id),this.teamMsg={ok:!0,text:f(`admin.team.removed`,{name:e.name})}}catch(e){this.teamMsg={ok:!1,text:I(e)}}}};customElements.define(`hk-show-editor`,Ve);var He=[`reserved`,`paid`,`fulfilled`,`cancelled`,`expired`,`refunded`],Ue=20,We=class extends p{static{this.styles=[k,n`
      .filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; margin: 0 0 .75rem; }
      .filters .field { margin: 0; min-width: 11rem; flex: 1; max-width: 20rem; }
      .pager { display: flex; gap: .5rem; align-items: center; justify-content: space-between; margin: .75rem 0; flex-wrap: wrap; }
      dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
      dl.kv dt { font-weight: 600; color: var(--hk-muted, #52525b); }
      dl.kv dd { margin: 0; overflow-wrap: anywhere; }
      address { font-style: normal; white-space: pre-line; overflow-wrap: anywhere; }
      dl.kv.totals { margin: .75rem 0 0 auto; max-width: 22rem; }
      .totals dd { text-align: right; font-variant-numeric: tabular-nums; }
      .totals .grand { font-weight: 800; color: var(--hk-text, #18181b); }
      .cols { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(17rem, 1fr)); }
      @media (max-width: 40rem) { dl.kv { grid-template-columns: 1fr; gap: 0 0; } dl.kv dd { margin-bottom: .4rem; } }
    `]}static{this.properties={shop:{attribute:!1},filter:{state:!0},items:{state:!0},next:{state:!0},loading:{state:!0},error:{state:!0},shows:{state:!0},open:{state:!0},names:{state:!0},fulfilErrors:{state:!0},actionMsg:{state:!0},busy:{state:!0}}}constructor(){super(),this.pages=[],this.cursor=null,this.st=new d(this),this.shop=null,this.filter={shop:``,state:``,show:``},this.items=null,this.next=null,this.loading=!1,this.error=``,this.shows=[],this.open=null,this.names=new Map,this.fulfilErrors={},this.actionMsg=null,this.busy=!1}willUpdate(e){e.has(`shop`)&&this.shop&&e.get(`shop`)?.id!==this.shop.id&&(this.filter={shop:this.shop.id,state:``,show:``},this.open=null,this.items=null,this.shows=[],this.names=new Map,this.pages=[],this.cursor=null,this.load(),this.loadShows(),this.loadNames())}async load(){let e=this.filter;this.loading=!0,this.error=``;try{let t=await be(e,this.cursor,Ue);if(e!==this.filter)return;this.items=t.items,this.next=t.next_cursor}catch(e){this.error=I(e)}finally{this.loading=!1}}async loadShows(){try{let e=this.shop.id,t=await S(e,null);e===this.shop?.id&&(this.shows=t.items)}catch{}}async loadNames(){try{let e=this.shop.id,t=await b(e);if(e!==this.shop?.id)return;let n=new Map;for(let e of t)for(let t of e.skus)n.set(t.id,{title:e.title,variant:q(t.options),code:t.code});this.names=n}catch{}}setFilter(e){this.filter={...this.filter,...e},this.pages=[],this.cursor=null,this.load()}page(e){if(e===1){if(!this.next)return;this.pages=[...this.pages,this.cursor],this.cursor=this.next}else this.cursor=this.pages[this.pages.length-1]??null,this.pages=this.pages.slice(0,-1);this.load().then(()=>this.renderRoot.querySelector(`#orders-h`)?.focus())}render(){if(this.st,!this.shop)return t;if(this.open)return this.detail(this.open);let n=new Map(this.shows.map(e=>[e.id,e.title]));return e`<div class="toolbar"><h2 id="orders-h" tabindex="-1">${f(`admin.orders.title`)}</h2></div>
      <form class="filters" role="search" aria-label=${f(`admin.orders.filters`)} @submit=${e=>e.preventDefault()}>
        <div class="field">
          <label>
            ${f(`admin.orders.state`)}
            <select data-testid="filter-state" @change=${e=>this.setFilter({state:e.target.value})}>
              <option value="" ?selected=${!this.filter.state}>${f(`admin.orders.allStates`)}</option>
              ${He.map(t=>e`<option value=${t} ?selected=${this.filter.state===t}>${z(`admin.orderState`,t)}</option>`)}
            </select>
          </label>
        </div>
        <div class="field">
          <label>
            ${f(`admin.orders.show`)}
            <select data-testid="filter-show" @change=${e=>this.setFilter({show:e.target.value})}>
              <option value="" ?selected=${!this.filter.show}>${f(`admin.orders.allShows`)}</option>
              ${this.shows.map(t=>e`<option value=${t.id} ?selected=${this.filter.show===t.id}>${t.title}</option>`)}
            </select>
          </label>
        </div>
      </form>
      ${this.actionMsg?.ok?e`<p class="status" role="status">${this.actionMsg.text}</p>`:t}
      ${this.error?e`<p class="alert" role="alert">${this.error} <button class="btn secondary small" @click=${()=>void this.load()}>${f(`admin.retry`)}</button></p>`:t}
      ${this.items===null?e`<p class="muted">${f(`admin.loading`)}</p>`:this.items.length===0?e`<p class="muted" data-testid="orders-empty">${f(`admin.orders.empty`)}</p>`:e`<table class="list" aria-labelledby="orders-h" aria-busy=${this.loading?`true`:`false`} data-testid="orders">
              <thead>
                <tr>
                  <th scope="col">${f(`admin.orders.order`)}</th>
                  <th scope="col">${f(`admin.orders.placed`)}</th>
                  <th scope="col">${f(`admin.orders.show`)}</th>
                  <th scope="col" class="num">${f(`admin.orders.items`)}</th>
                  <th scope="col" class="num">${f(`admin.orders.total`)}</th>
                  <th scope="col">${f(`admin.orders.state`)}</th>
                  <th scope="col"><span class="sr-only">${f(`admin.actions`)}</span></th>
                </tr>
              </thead>
              <tbody>
                ${this.items.map(t=>e`<tr data-testid="order-row" data-id=${t.id} data-state=${t.state}>
                    <td data-label=${f(`admin.orders.order`)}><span class="mono">${J(t.id)}</span></td>
                    <td data-label=${f(`admin.orders.placed`)}>${t.created_at?o(t.created_at,l.lang):``}</td>
                    <td data-label=${f(`admin.orders.show`)}><span class="title-text">${t.show_id?n.get(t.show_id)??J(t.show_id):`—`}</span></td>
                    <td data-label=${f(`admin.orders.items`)} class="num">${t.lines.reduce((e,t)=>e+t.quantity,0)}</td>
                    <td data-label=${f(`admin.orders.total`)} class="num">${Y(t.total,t.market)}</td>
                    <td data-label=${f(`admin.orders.state`)}><span class="badge ${t.state}" data-testid="order-state">${z(`admin.orderState`,t.state)}</span></td>
                    <td class="cell-actions">
                      <button class="btn secondary small" data-testid="order-open" aria-label=${f(`admin.orders.openNamed`,{id:J(t.id)})} @click=${()=>void this.show(t)}>
                        ${f(`admin.orders.details`)}
                      </button>
                    </td>
                  </tr>`)}
              </tbody>
            </table>`}
      ${this.pages.length||this.next?e`<nav class="pager" aria-label=${f(`admin.orders.pages`)}>
            <button class="btn secondary small" data-testid="orders-prev" ?disabled=${!this.pages.length||this.loading} @click=${()=>this.page(-1)}>${f(`admin.orders.prev`)}</button>
            <span class="muted">${f(`admin.orders.pageN`,{n:this.pages.length+1})}</span>
            <button class="btn secondary small" data-testid="orders-next" ?disabled=${!this.next||this.loading} @click=${()=>this.page(1)}>${f(`admin.orders.next`)}</button>
          </nav>`:t}
      <hk-confirm></hk-confirm>`}async show(e){this.actionMsg=null,this.fulfilErrors={},this.open=e;try{this.open=await C(e.id)}catch(e){this.actionMsg={ok:!1,text:I(e)}}await this.updateComplete,this.renderRoot.querySelector(`#order-h`)?.focus()}back(){this.open=null,this.load()}detail(n){let r=n.shipping_address,i=Ke(n),a=n.state===`reserved`||n.state===`paid`;return e`<div class="toolbar">
        <h2 id="order-h" tabindex="-1">${f(`admin.orders.orderN`,{id:J(n.id)})}</h2>
        <button class="btn secondary" data-testid="order-back" @click=${this.back}>${f(`admin.orders.back`)}</button>
      </div>
      <div data-testid="order-detail" data-id=${n.id} data-state=${n.state}>
        ${this.actionMsg?e`<p class=${this.actionMsg.ok?`status`:`alert`} role=${this.actionMsg.ok?`status`:`alert`} data-testid="order-msg">${this.actionMsg.text}</p>`:t}
        <div class="cols">
          <section class="panel" aria-labelledby="o-sum">
            <h3 id="o-sum">${f(`admin.orders.summary`)}</h3>
            <dl class="kv">
              <dt>${f(`admin.orders.state`)}</dt>
              <dd><span class="badge ${n.state}" data-testid="detail-state">${z(`admin.orderState`,n.state)}</span></dd>
              <dt>${f(`admin.orders.payment`)}</dt>
              <dd data-testid="detail-payment">${i}</dd>
              <dt>${f(`admin.orders.placed`)}</dt>
              <dd>${n.created_at?o(n.created_at,l.lang):`—`}</dd>
              <dt>${f(`admin.orders.market`)}</dt>
              <dd>${l.markets.find(e=>e.code===n.market)?.name??n.market}</dd>
              <dt>${f(`admin.orders.buyer`)}</dt>
              <dd class="mono">${n.buyer_id}</dd>
              ${n.show_id?e`<dt>${f(`admin.orders.show`)}</dt>
                    <dd><a href="/shows/${n.show_id}">${this.shows.find(e=>e.id===n.show_id)?.title??n.show_id}</a></dd>`:t}
              <dt>${f(`admin.orders.id`)}</dt>
              <dd class="mono">${n.id}</dd>
              ${n.tracking_number?e`<dt>${f(`admin.orders.tracking`)}</dt>
                    <dd data-testid="detail-tracking">${n.tracking_number}${n.carrier?` (${n.carrier})`:``}</dd>`:t}
              ${n.fulfilled_at?e`<dt>${f(`admin.orders.shippedAt`)}</dt>
                    <dd>${o(n.fulfilled_at,l.lang)}</dd>`:t}
            </dl>
          </section>
          <section class="panel" aria-labelledby="o-ship">
            <h3 id="o-ship">${f(`admin.orders.shipTo`)}</h3>
            ${r?e`<address data-testid="detail-address">${[r.name,r.line1,r.line2,[r.city,r.region,r.postal_code].filter(Boolean).join(`, `),l.markets.find(e=>e.code===r.country)?.name??r.country,r.phone].filter(Boolean).join(`
`)}</address>`:e`<p class="muted">${f(`admin.orders.noAddress`)}</p>`}
          </section>
        </div>
        <section class="panel" aria-labelledby="o-lines">
          <h3 id="o-lines">${f(`admin.orders.lines`)}</h3>
          <table class="list" data-testid="detail-lines">
            <thead>
              <tr>
                <th scope="col">${f(`admin.orders.product`)}</th>
                <th scope="col" class="num">${f(`admin.orders.qty`)}</th>
                <th scope="col" class="num">${f(`admin.orders.unit`)}</th>
                <th scope="col" class="num">${f(`admin.orders.lineTotal`)}</th>
              </tr>
            </thead>
            <tbody>
              ${n.lines.map(r=>{let i=this.names.get(r.sku_id);return e`<tr data-testid="detail-line">
                  <td data-label=${f(`admin.orders.product`)}>
                    <span class="title-text">${i?i.title:r.sku_id}</span>
                    ${i?e`<br /><span class="muted">${i.variant||i.code}</span>`:t}
                    ${r.deal_id?e` <span class="badge">${f(`admin.orders.deal`)}</span>`:t}
                  </td>
                  <td data-label=${f(`admin.orders.qty`)} class="num">${r.quantity}</td>
                  <td data-label=${f(`admin.orders.unit`)} class="num">${Y(r.unit_price,n.market)}</td>
                  <td data-label=${f(`admin.orders.lineTotal`)} class="num">${Y(r.total,n.market)}</td>
                </tr>`})}
            </tbody>
          </table>
          <dl class="kv totals">
            <dt>${f(`admin.orders.subtotal`)}</dt>
            <dd>${Y(n.subtotal,n.market)}</dd>
            <dt>${Ge(n.market)}</dt>
            <dd>${Y(n.tax,n.market)}</dd>
            <dt>${f(`admin.orders.shipping`)}</dt>
            <dd>${Y(n.shipping,n.market)}</dd>
            <dt class="grand">${f(`admin.orders.total`)}</dt>
            <dd class="grand" data-testid="detail-total">${Y(n.total,n.market)}</dd>
          </dl>
        </section>
        ${n.state===`paid`?this.fulfilForm():t}
        ${a?e`<section class="panel" aria-labelledby="o-cancel">
              <h3 id="o-cancel">${n.state===`paid`?f(`admin.orders.refundTitle`):f(`admin.orders.cancelTitle`)}</h3>
              <p class="hint">${n.state===`paid`?f(`admin.orders.refundHint`,{total:Y(n.total,n.market)}):f(`admin.orders.cancelHint`)}</p>
              <button class="btn danger" data-testid="order-cancel" ?disabled=${this.busy} @click=${()=>void this.cancel(n)}>
                ${n.state===`paid`?f(`admin.orders.refund`):f(`admin.orders.cancel`)}
              </button>
            </section>`:t}
      </div>
      <hk-confirm></hk-confirm>`}fulfilForm(){let t=this.fulfilErrors;return e`<form class="panel" novalidate @submit=${this.fulfil} @input=${e=>this.fulfilErrors=P(this.fulfilErrors,e)} aria-labelledby="o-fulfil" data-testid="fulfil-form">
      <h3 id="o-fulfil">${f(`admin.orders.fulfilTitle`)}</h3>
      <div class="grid2">
        <div class="field">
          <label>
            ${f(`admin.orders.tracking`)}
            <input name="tracking_number" data-testid="tracking" maxlength="100" autocomplete="off" spellcheck="false"
              aria-invalid=${A(t,`tracking_number`)} aria-describedby=${M(t,`tracking_number`)} />
          </label>
          ${N(t,`tracking_number`)}
        </div>
        <div class="field">
          <label>
            ${f(`admin.orders.carrier`)}
            <input name="carrier" data-testid="carrier" maxlength="100" list="carriers" autocomplete="off"
              aria-invalid=${A(t,`carrier`)} aria-describedby=${M(t,`carrier`,`carrier-hint`)} />
          </label>
          <p class="hint" id="carrier-hint">${f(`admin.orders.carrierHint`)}</p>
          <datalist id="carriers">${[`DHL`,`UPS`,`FedEx`,`USPS`,`La Poste`,`Royal Mail`,`Vietnam Post`,`J&T Express`,`Thailand Post`,`Pos Malaysia`,`JNE`].map(t=>e`<option value=${t}></option>`)}</datalist>
          ${N(t,`carrier`)}
        </div>
      </div>
      <button class="btn" data-testid="fulfil" ?disabled=${this.busy}>${this.busy?f(`admin.saving`):f(`admin.orders.fulfil`)}</button>
    </form>`}async fulfil(e){if(e.preventDefault(),this.busy||!this.open)return;let t=e.target,n=new FormData(t),r=String(n.get(`tracking_number`)??``).trim(),i=String(n.get(`carrier`)??``).trim();if(this.actionMsg=null,!r)this.fulfilErrors={tracking_number:f(`admin.err.required`)},await this.updateComplete,F(t);else{this.busy=!0;try{this.open=await xe(this.open.id,r,i),this.fulfilErrors={},this.actionMsg={ok:!0,text:f(`admin.orders.fulfilled`,{id:J(this.open.id)})}}catch(e){e instanceof s&&(e.field===`tracking_number`||e.field===`carrier`)?(this.fulfilErrors={[e.field]:e.message},await this.updateComplete,F(t)):(this.actionMsg={ok:!1,text:e instanceof s&&e.code===`invalid_state`?f(`admin.orders.changed`):I(e)},this.refresh())}finally{this.busy=!1}}}async cancel(e){let t=e.state===`paid`;if(await this.renderRoot.querySelector(`hk-confirm`).ask(f(t?`admin.orders.refundConfirmTitle`:`admin.orders.cancelConfirmTitle`),t?f(`admin.orders.refundConfirmBody`,{total:Y(e.total,e.market)}):f(`admin.orders.cancelConfirmBody`),f(t?`admin.orders.refund`:`admin.orders.cancel`))){this.busy=!0,this.actionMsg=null;try{this.open=await Se(e.id),this.actionMsg={ok:!0,text:f(this.open.state===`refunded`?`admin.orders.refunded`:`admin.orders.cancelled`,{id:J(e.id)})}}catch(e){this.actionMsg={ok:!1,text:e instanceof s&&e.code===`invalid_state`?f(`admin.orders.changed`):I(e)},this.refresh()}finally{this.busy=!1}}}async refresh(){if(this.open)try{this.open=await C(this.open.id)}catch{}}};customElements.define(`hk-admin-orders`,We);var J=e=>e.length>12?`…${e.slice(-8)}`:e,Y=(e,t)=>l.moneyOf(e,t);function Ge(e){return l.markets.find(t=>t.code===e)?.tax_mode===`inclusive`?f(`admin.orders.taxIncluded`):f(`admin.orders.tax`)}function Ke(e){switch(e.state){case`reserved`:return f(`admin.payment.awaiting`,{time:o(e.pay_by,l.lang)});case`paid`:case`fulfilled`:return f(`admin.payment.paid`);case`refunded`:return f(`admin.payment.refunded`);default:return f(`admin.payment.none`)}}var X=[`seller`,`host`,`moderator`],qe=class extends p{static{this.styles=k}static{this.properties={shop:{attribute:!1},members:{state:!0},error:{state:!0},msg:{state:!0},errors:{state:!0},busy:{state:!0}}}constructor(){super(),this.st=new d(this),this.shop=null,this.members=null,this.error=``,this.msg=null,this.errors={},this.busy=!1}willUpdate(e){e.has(`shop`)&&this.shop&&e.get(`shop`)?.id!==this.shop.id&&(this.members=null,this.msg=null,this.load())}async load(){let e=this.shop.id;this.error=``;try{let t=await re(e);e===this.shop?.id&&(this.members=t.items)}catch(e){this.error=I(e)}}render(){if(this.st,!this.shop)return t;let n=this.errors,r=l.user;return e`<div class="toolbar"><h2 id="team-h">${f(`admin.team.title`)}</h2></div>
      <p class="hint">${f(`admin.team.roles`)}</p>
      ${this.msg?e`<p class=${this.msg.ok?`status`:`alert`} role=${this.msg.ok?`status`:`alert`} data-testid="team-msg">${this.msg.text}</p>`:t}
      ${this.error?e`<p class="alert" role="alert">${this.error}</p>`:t}
      ${this.members===null?e`<p class="muted">${f(`admin.loading`)}</p>`:e`<table class="list" aria-labelledby="team-h" data-testid="members">
            <thead>
              <tr>
                <th scope="col">${f(`admin.team.name`)}</th>
                <th scope="col">${f(`admin.team.email`)}</th>
                <th scope="col">${f(`admin.team.role`)}</th>
                <th scope="col"><span class="sr-only">${f(`admin.actions`)}</span></th>
              </tr>
            </thead>
            <tbody>
              ${this.members.map(n=>e`<tr data-testid="member-row" data-user=${n.user_id} data-role=${n.role}>
                  <td data-label=${f(`admin.team.name`)}>
                    <span class="title-text">${n.name}</span>${n.user_id===r?.id?e` <span class="badge">${f(`admin.team.you`)}</span>`:t}
                    <br /><span class="muted mono">${n.user_id}</span>
                  </td>
                  <td data-label=${f(`admin.team.email`)}><span class="title-text">${n.email}</span></td>
                  <td data-label=${f(`admin.team.role`)}>
                    <select data-testid="member-role" aria-label=${f(`admin.team.roleOf`,{name:n.name})} ?disabled=${this.busy}
                      @change=${e=>void this.changeRole(n,e.target)}>
                      ${X.map(t=>e`<option value=${t} ?selected=${t===n.role}>${z(`admin.role`,t)}</option>`)}
                    </select>
                  </td>
                  <td class="cell-actions">
                    <button class="btn secondary small" data-testid="member-remove" aria-label=${f(`admin.team.removeNamed`,{name:n.name})} ?disabled=${this.busy}
                      @click=${()=>void this.removeMember(n)}>${f(`admin.remove`)}</button>
                  </td>
                </tr>`)}
            </tbody>
          </table>`}

      <form class="panel" novalidate @submit=${this.add} @input=${e=>this.errors=P(this.errors,e)} aria-labelledby="add-h" data-testid="member-form" style="margin-top:1rem">
        <h3 id="add-h">${f(`admin.team.addTitle`)}</h3>
        <div class="grid2">
          <div class="field">
            <label>
              ${f(`admin.team.userId`)}
              <input name="user" data-testid="member-user" spellcheck="false" autocomplete="off" placeholder="usr_…"
                aria-invalid=${A(n,`user`)} aria-describedby=${M(n,`user`,`user-hint`)} />
            </label>
            <p class="hint" id="user-hint">${f(`admin.team.userIdHint`)}</p>
            ${N(n,`user`)}
          </div>
          <div class="field">
            <label>
              ${f(`admin.team.role`)}
              <select name="role" data-testid="member-new-role">
                ${X.map(t=>e`<option value=${t} ?selected=${t===`host`}>${z(`admin.role`,t)}</option>`)}
              </select>
            </label>
          </div>
        </div>
        <button class="btn" data-testid="member-add" ?disabled=${this.busy}>${f(`admin.team.add`)}</button>
      </form>
      ${r?e`<p class="hint" data-testid="my-id">${f(`admin.team.yourId`)} <span class="mono">${r.id}</span></p>`:t}
      <hk-confirm></hk-confirm>`}refusal(e){return e instanceof s&&e.status===409?f(`admin.team.lastSeller`):I(e)}async add(e){e.preventDefault();let t=e.target,n=new FormData(t),r=String(n.get(`user`)??``).trim(),i=String(n.get(`role`)??`host`);if(this.msg=null,!r)this.errors={user:f(`admin.err.required`)},await this.updateComplete,F(t);else{this.busy=!0;try{await v(this.shop.id,r,i),this.errors={},t.reset(),await this.load();let e=this.members?.find(e=>e.user_id===r);this.msg={ok:!0,text:f(`admin.team.added`,{name:e?.name??r,role:z(`admin.role`,i)})}}catch(e){e instanceof s&&e.status===404&&e.field===`user`?this.errors={user:f(`admin.team.noSuchUser`)}:e instanceof s&&e.field===`user`?this.errors={user:e.message}:(this.errors={},this.msg={ok:!1,text:this.refusal(e)}),await this.updateComplete,F(t)}finally{this.busy=!1}}}async changeRole(e,t){let n=t.value;this.busy=!0,this.msg=null;try{await v(this.shop.id,e.user_id,n),this.members=(this.members??[]).map(t=>t.user_id===e.user_id?{...t,role:n}:t),this.msg={ok:!0,text:f(`admin.team.roleChanged`,{name:e.name,role:z(`admin.role`,n)})}}catch(n){t.value=e.role,this.msg={ok:!1,text:this.refusal(n)}}finally{this.busy=!1}}async removeMember(e){if(await this.renderRoot.querySelector(`hk-confirm`).ask(f(`admin.team.removeTitle`,{name:e.name}),f(`admin.team.removeBody`,{shop:this.shop.name}),f(`admin.remove`))){this.busy=!0,this.msg=null;try{await ie(this.shop.id,e.user_id),this.members=(this.members??[]).filter(t=>t.user_id!==e.user_id),this.msg={ok:!0,text:f(`admin.team.removed`,{name:e.name})}}catch(e){this.msg={ok:!1,text:this.refusal(e)}}finally{this.busy=!1}}}};customElements.define(`hk-admin-team`,qe),a(O);var Z=[`products`,`shows`,`orders`,`team`],Q=`hawker.admin.shop`,$=class extends p{static{this.styles=[k,n`
      :host { display: block; max-width: 76rem; margin: 0 auto; padding: 1rem; }
      h1 { font-size: 1.6rem; margin: 0; }
      .head { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: flex-end; justify-content: space-between; margin: 0 0 1rem; }
      .switch { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; }
      .switch .field { margin: 0; min-width: 14rem; }
      nav.tabs { display: flex; gap: .25rem; overflow-x: auto; border-bottom: 2px solid #e4e4e7; margin: 0 0 1rem; }
      nav.tabs a { padding: .6rem 1rem; min-height: 44px; display: inline-flex; align-items: center; color: var(--hk-text, #18181b); text-decoration: none; font-weight: 600; border-bottom: 3px solid transparent; margin-bottom: -2px; white-space: nowrap; }
      nav.tabs a[aria-current="page"] { border-bottom-color: var(--hk-accent, #c2410c); color: var(--hk-accent-dark, #9a3412); }
      nav.tabs a:hover { background: #f4f4f5; }
      .center { max-width: 36rem; margin: 2rem auto; }
      @media (max-width: 40rem) { :host { padding: .75rem; } nav.tabs a { padding: .5rem .7rem; } }
    `]}static{this.properties={section:{},phase:{state:!0},shops:{state:!0},shopId:{state:!0},who:{state:!0},error:{state:!0},opening:{state:!0},openErrors:{state:!0},openAlert:{state:!0},openBusy:{state:!0}}}constructor(){super(),this.st=new d(this),this.onNavigate=()=>this.readShop(),this.section=`products`,this.phase=`loading`,this.shops=[],this.shopId=``,this.who=null,this.error=``,this.opening=!1,this.openErrors={},this.openAlert=``,this.openBusy=!1}connectedCallback(){super.connectedCallback(),window.addEventListener(`hawker:navigate`,this.onNavigate),this.load()}disconnectedCallback(){super.disconnectedCallback(),window.removeEventListener(`hawker:navigate`,this.onNavigate)}get isAdmin(){return!!this.who?.user.roles.includes(`admin`)}get canOpen(){return this.isAdmin||!!this.who?.user.roles.includes(`seller`)}async load(){this.phase=`loading`,this.error=``;try{if(await l.loadMarkets(),!l.user){this.phase=`anonymous`;return}let e=await ne();if(!e){this.phase=`denied`;return}e.csrf_token&&i(e.csrf_token),this.who=e;let t=new Set(e.shops.filter(e=>e.role===`seller`).map(e=>e.shop_id)),n=[],r=null;do{let e=await g(r);n.push(...e.items),r=e.next_cursor}while(r);this.shops=this.isAdmin?n:n.filter(e=>t.has(e.id)),this.phase=this.shops.length||this.canOpen?`ready`:`denied`,this.opening=this.phase===`ready`&&!this.shops.length,this.readShop()}catch(e){e instanceof s&&e.status===401?(l.user&&l.signedOut(),this.phase=`anonymous`):(this.error=I(e),this.phase=`error`)}}readShop(){let e=new URLSearchParams(location.search).get(`shop`)??localStorage.getItem(Q)??``,t=this.shops.find(t=>t.id===e)??this.shops[0];this.shopId=t?.id??``,t&&localStorage.setItem(Q,t.id)}switchShop(e){this.shopId=e,localStorage.setItem(Q,e);let t=new URL(location.href);t.searchParams.set(`shop`,e),history.replaceState(null,``,t.pathname+t.search)}render(){switch(this.st,this.phase){case`loading`:return e`<p class="muted" role="status">${f(`admin.loading`)}</p>`;case`error`:return e`<div class="center" role="alert">
          <h1>${f(`admin.title`)}</h1>
          <p>${this.error}</p>
          <button class="btn" @click=${()=>void this.load()}>${f(`admin.retry`)}</button>
        </div>`;case`anonymous`:return e`<div class="center" data-testid="admin-login">
          <h1>${f(`admin.title`)}</h1>
          <p>${f(`admin.access.login`)}</p>
          <a class="btn" href="/account?next=${encodeURIComponent(location.pathname+location.search)}">${f(`admin.access.loginButton`)}</a>
        </div>`;case`denied`:return this.denied();case`ready`:return this.ready()}}denied(){let n=this.who?.user,r=this.who?.shops.length??0;return e`<div class="center" role="alert" data-testid="admin-denied">
      <h1>${f(`admin.title`)}</h1>
      <p>${f(`admin.access.denied`)}</p>
      ${r?e`<p>${f(`admin.access.hostHint`)}</p>`:t}
      ${n?e`<p class="hint">${f(`admin.access.yourId`)} <span class="mono" data-testid="my-id">${n.id}</span></p>`:t}
      <p><a href="/">${f(`admin.access.home`)}</a></p>
    </div>`}ready(){let n=this.shops.find(e=>e.id===this.shopId)??null,r=Z.includes(this.section)?this.section:`products`,i=e=>`/admin/${e}${n?`?shop=${encodeURIComponent(n.id)}`:``}`,a={products:f(`admin.nav.products`),shows:f(`admin.nav.shows`),orders:f(`admin.nav.orders`),team:f(`admin.nav.team`)};return e`<div class="head">
        <h1>${f(`admin.title`)}</h1>
        <div class="switch">
          ${this.shops.length?e`<div class="field">
                <label for="shop">${this.isAdmin?f(`admin.shop.switchAdmin`):f(`admin.shop.switch`)}</label>
                <select id="shop" data-testid="shop-switch" @change=${e=>this.switchShop(e.target.value)}>
                  ${this.shops.map(t=>e`<option value=${t.id} ?selected=${t.id===this.shopId}>${t.name}</option>`)}
                </select>
              </div>`:t}
          ${this.canOpen&&!this.opening?e`<button class="btn secondary" data-testid="shop-open" @click=${this.startOpening}>${f(`admin.shop.open`)}</button>`:t}
        </div>
      </div>
      ${this.opening?this.openForm():t}
      ${n?e`<nav class="tabs" aria-label=${f(`admin.nav.label`)}>
              ${Z.map(t=>e`<a href=${i(t)} data-testid="tab-${t}" aria-current=${t===r?`page`:`false`}>${a[t]}</a>`)}
            </nav>
            <section aria-label=${a[r]} data-testid="section" data-section=${r}>
              ${r===`products`?e`<hk-admin-products .shop=${n}></hk-admin-products>`:r===`shows`?e`<hk-admin-shows .shop=${n}></hk-admin-shows>`:r===`orders`?e`<hk-admin-orders .shop=${n}></hk-admin-orders>`:e`<hk-admin-team .shop=${n}></hk-admin-team>`}
            </section>`:t}`}async startOpening(){this.opening=!0,await this.updateComplete,this.renderRoot.querySelector(`#shop-name`)?.focus()}openForm(){let n=this.openErrors,r=l.market?.code??l.markets[0]?.code??``;return e`<form class="panel" novalidate @submit=${this.open} @input=${e=>this.openErrors=P(this.openErrors,e)} aria-labelledby="open-h" data-testid="shop-form">
      <h2 id="open-h">${f(`admin.shop.openTitle`)}</h2>
      ${this.shops.length?t:e`<p>${f(`admin.shop.first`)}</p>`}
      <div class="grid2">
        <div class="field">
          <label for="shop-name">${f(`admin.shop.name`)}</label>
          <input id="shop-name" name="name" data-testid="shop-name" maxlength="200" aria-invalid=${A(n,`name`)} aria-describedby=${M(n,`name`)} />
          ${N(n,`name`)}
        </div>
        <div class="field">
          <label for="shop-home">${f(`admin.shop.home`)}</label>
          <select id="shop-home" name="home_market" data-testid="shop-home" aria-invalid=${A(n,`home_market`)} aria-describedby=${M(n,`home_market`)}>
            ${l.markets.map(t=>e`<option value=${t.code} ?selected=${t.code===r}>${t.name} (${t.currency})</option>`)}
          </select>
          ${N(n,`home_market`)}
        </div>
      </div>
      <fieldset aria-describedby=${M(n,`markets`,`shop-markets-hint`)}>
        <legend>${f(`admin.shop.markets`)}</legend>
        ${l.markets.map(t=>e`<label class="check"><input type="checkbox" name="markets" value=${t.code} data-testid="shop-market" ?checked=${t.code===r} /> ${t.name}</label>`)}
        <p class="hint" id="shop-markets-hint">${f(`admin.shop.marketsHint`)}</p>
        ${N(n,`markets`)}
      </fieldset>
      ${this.openAlert?e`<p class="alert" role="alert">${this.openAlert}</p>`:t}
      <div class="actions">
        <button class="btn" data-testid="shop-create" ?disabled=${this.openBusy}>${this.openBusy?f(`admin.saving`):f(`admin.shop.create`)}</button>
        ${this.shops.length?e`<button type="button" class="btn secondary" @click=${()=>this.opening=!1}>${f(`admin.cancel`)}</button>`:t}
      </div>
    </form>`}async open(e){if(e.preventDefault(),this.openBusy)return;let t=e.target,n=new FormData(t),r=String(n.get(`name`)??``).trim(),i=String(n.get(`home_market`)??``),a=[...new Set([i,...n.getAll(`markets`).map(String)])];if(this.openAlert=``,!r)this.openErrors={name:f(`admin.err.required`)},await this.updateComplete,F(t);else{this.openBusy=!0;try{let e=await _({name:r,home_market:i,markets:a});this.shops=[...this.shops,e],this.opening=!1,this.openErrors={},this.switchShop(e.id)}catch(e){let n=L(e,e=>[`name`,`home_market`,`markets`,`slug`].includes(e),e=>e===`slug`?`name`:e);this.openErrors=n.fields,this.openAlert=n.alert,await this.updateComplete,F(t)}finally{this.openBusy=!1}}}};customElements.define(`hawker-admin`,$);export{$ as HawkerAdmin,Z as sections};